/**
 * Time-zone-correct service windows, maintenance windows, notice rules, incident accounting and
 * availability reports. Pure functions over instants; all zone arithmetic through Temporal.
 *
 * @packageDocumentation
 */
export type { Availability, DowntimeLog, DowntimePeriod, Period } from './availability.ts';
export { type Calendar, createCalendar } from './calendar.ts';
export type { DowntimeAnnouncement, DowntimeClassification } from './downtime.ts';
export { holidayPredicate, holidaysOf } from './holidays.ts';
export type { UnavailabilityOptions, UnavailabilityStatus } from './hook.ts';
export { renderHtmlReport } from './html-report.ts';
export type {
  Breach,
  EndRule,
  Incident,
  IncidentEvaluation,
  IncidentEvent,
  IncidentEventType,
  TargetCheck,
} from './incident.ts';
export { mergeIntervals, totalMs } from './intervals.ts';
export { priorityOf } from './priority.ts';
export {
  defaultProfile,
  type Level,
  type MaintenanceRules,
  type Priority,
  type PriorityTarget,
  type SlaProfile,
} from './profile.ts';
export type { ReportIncident, ReportSpan, SlaReport } from './report.ts';
export type { ScheduleCheck, ScheduleCheckOptions, ScheduleViolation } from './schedule-check.ts';
export { createSla, type Sla } from './sla.ts';
export type {
  CalendarSpec,
  Exclusion,
  HolidaySpec,
  HolidayType,
  InstantInput,
  Interval,
  Occurrence,
  OneOffWindow,
  RecurringWindow,
  ValidationIssue,
  ValidationResult,
  Weekday,
  WindowSpec,
} from './types.ts';
export { validateCalendar, validateProfile } from './validate.ts';
export { createWorkingDays, type WorkingDays, type WorkingDaysOptions } from './working-days.ts';
