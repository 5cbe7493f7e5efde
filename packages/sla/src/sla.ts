import { ledger, measureAvailability, resolvePeriod } from './_availability.ts';
import { buildContext } from './_context.ts';
import { evaluate } from './_incident.ts';
import { buildReport } from './_report.ts';
import { checkSchedule } from './_schedule-check.ts';
import { toEpochMs } from './_temporal.ts';
import type { Availability, DowntimeLog, Period } from './availability.ts';
import { type Calendar, wrapCalendar } from './calendar.ts';
import { classify, type DowntimeAnnouncement, type DowntimeClassification } from './downtime.ts';
import { type UnavailabilityOptions, type UnavailabilityStatus, unavailabilityCheck } from './hook.ts';
import type { Incident, IncidentEvaluation } from './incident.ts';
import { priorityOf } from './priority.ts';
import { defaultProfile, type Level, type Priority, type SlaProfile } from './profile.ts';
import type { SlaReport } from './report.ts';
import type { ScheduleCheck, ScheduleCheckOptions } from './schedule-check.ts';
import type { InstantInput } from './types.ts';
import type { WorkingDays } from './working-days.ts';

/**
 * A service agreement ready for use: its calendars, working days, and the accounting built on them.
 *
 * @example
 * ```ts
 * const sla = createSla(); // the default profile
 * sla.service.contains('2026-03-30T10:00:00+02:00'); // true: Monday morning
 * ```
 */
export interface Sla {
  readonly profile: SlaProfile;
  /** Business hours (the service window). */
  readonly service: Calendar;
  /** The agreed maintenance window. */
  readonly maintenance: Calendar;
  readonly workingDays: WorkingDays;
  /**
   * Priority from impact × urgency.
   *
   * @example
   * ```ts
   * sla.priorityOf('medium', 'high'); // 'P2'
   * ```
   */
  priorityOf(impact: Level, urgency: Level): Priority;
  /**
   * Whether an announced downtime is maintenance, planned or unplanned, with reasons.
   *
   * @example
   * ```ts
   * sla.classifyDowntime({ announcedAt: '2026-03-28T21:00:00+01:00', start: '2026-03-29T09:00:00+02:00', end: '2026-03-29T11:00:00+02:00' }).kind; // 'unplanned' (11 h notice)
   * ```
   */
  classifyDowntime(d: DowntimeAnnouncement): DowntimeClassification;
  /**
   * An incident's priority, unavailability period and met or missed targets. `asOf` closes an
   * open incident (default: its last event).
   *
   * @example
   * ```ts
   * sla.evaluateIncident(incident, '2026-03-31T22:00:00Z').breaches;
   * ```
   */
  evaluateIncident(incident: Incident, asOf?: InstantInput): IncidentEvaluation;
  /**
   * Availability over a calendar month in the profile's zone or any interval.
   *
   * @example
   * ```ts
   * sla.availability({ month: '2026-03' }, { incidents }).availability; // e.g. 0.9973
   * ```
   */
  availability(period: Period, log?: DowntimeLog): Availability;
  /**
   * The JSON report of a period (render it with {@link renderHtmlReport}).
   *
   * @example
   * ```ts
   * const report = sla.report({ month: '2026-03' }, { incidents, downtime });
   * ```
   */
  report(period: Period, log?: DowntimeLog): SlaReport;
  /**
   * Checks the maintenance schedule over a horizon: no overlap with the service window, and the
   * profile's `maintenanceRules`.
   *
   * @example
   * ```ts
   * sla.checkSchedule({ from: '2026-01-01', years: 5 }).ok; // true
   * ```
   */
  checkSchedule(options: ScheduleCheckOptions): ScheduleCheck;
  /**
   * The deadline of a capacity expansion ordered at `orderedAt`: the end of the
   * `capacityExpansionWorkingDays`th working day after it.
   *
   * @example
   * ```ts
   * sla.capacityExpansionDue('2026-04-24T15:00:00+02:00').date; // '2026-04-30'
   * ```
   */
  capacityExpansionDue(orderedAt: InstantInput): ReturnType<WorkingDays['add']>;
  /**
   * A per-request hook for servers: whether the service is down for maintenance now and when to retry.
   *
   * @example
   * ```ts
   * const isUnavailable = sla.unavailabilityCheck();
   * const refuse = (): Response | undefined => {
   *   const s = isUnavailable(new Date());
   *   if (s.unavailable) return new Response(s.reason, { status: 503, headers: { 'Retry-After': String(s.retryAfterSeconds) } });
   * };
   * ```
   */
  unavailabilityCheck(options?: UnavailabilityOptions): (now?: InstantInput) => UnavailabilityStatus;
  /**
   * Shorthand for `unavailabilityCheck()(now)`: refuses during the whole maintenance window.
   *
   * @example
   * ```ts
   * sla.isUnavailable('2026-03-28T16:00:00+01:00'); // { unavailable: true, retryAfterSeconds: 3600, ... }
   * ```
   */
  isUnavailable(now?: InstantInput): UnavailabilityStatus;
}

/**
 * Validates a profile and builds an {@link Sla}. Throws `TypeError` or `RangeError` naming the
 * field at fault; {@link validateProfile} reports problems without throwing.
 *
 * @example
 * ```ts
 * const sla = createSla({ ...defaultProfile, availabilityTarget: 0.995 });
 * sla.report({ month: '2026-03' }, { incidents: [] }).availability; // 1
 * ```
 */
export function createSla(profile: SlaProfile = defaultProfile): Sla {
  const ctx = buildContext(profile);
  const endOf = (period: Period, log: DowntimeLog) => {
    const r = resolvePeriod(ctx, period);
    return { r, asOf: log.asOf === undefined ? r.end : Math.min(r.end, toEpochMs(log.asOf, 'asOf')) };
  };
  const whole = unavailabilityCheck(ctx);
  return {
    profile: ctx.profile,
    service: wrapCalendar(ctx.service),
    maintenance: wrapCalendar(ctx.maintenance),
    workingDays: ctx.working,
    priorityOf: (impact, urgency) => priorityOf(ctx.profile, impact, urgency),
    classifyDowntime: (d) => classify(ctx, d),
    evaluateIncident: (incident, asOf) =>
      evaluate(ctx, incident, asOf === undefined ? undefined : toEpochMs(asOf, 'asOf')),
    availability(period, log = {}) {
      const { r, asOf } = endOf(period, log);
      return measureAvailability(ctx, r, ledger(ctx, log, asOf).entries);
    },
    report: (period, log = {}) => buildReport(ctx, period, log),
    checkSchedule: (options) => checkSchedule(ctx, options),
    capacityExpansionDue: (t) => ctx.working.add(t, ctx.profile.capacityExpansionWorkingDays),
    unavailabilityCheck: (options) => unavailabilityCheck(ctx, options),
    isUnavailable: (now) => whole(now),
  };
}
