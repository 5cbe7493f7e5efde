import type { Exclusion, HolidaySpec, Weekday, WindowSpec } from './types.ts';

/**
 * Impact or urgency of an incident.
 *
 * @example
 * ```ts
 * const impact: Level = 'high'; // all users cannot reach their capacity
 * ```
 */
export type Level = 'high' | 'medium' | 'low';

/**
 * Incident priority, P1 the most urgent.
 *
 * @example
 * ```ts
 * const p: Priority = priorityOf(defaultProfile, 'high', 'high'); // 'P1'
 * ```
 */
export type Priority = 'P1' | 'P2' | 'P3' | 'P4';

/**
 * Targets for one priority. `clock` says whether the minutes run around the clock (`'24/7'`) or
 * only inside the service window (`'business'`, holidays excluded when the service window skips them).
 *
 * @example
 * ```ts
 * const p1: PriorityTarget = { responseMinutes: 15, updateMinutes: 60, resolutionMinutes: 240, clock: '24/7' };
 * ```
 */
export interface PriorityTarget {
  /** From the start of unavailability to the provider's first response (acknowledged or update). */
  responseMinutes: number;
  /** Longest allowed gap between progress messages until the incident is closed. */
  updateMinutes: number;
  /** From the start of unavailability to `restored`. */
  resolutionMinutes: number;
  clock: 'business' | '24/7';
}

/**
 * Rules a maintenance schedule must keep, checked by {@link Sla.checkSchedule} over a horizon.
 *
 * @example
 * ```ts
 * const rules: MaintenanceRules = { minWindowMinutes: 240, maxWindowMinutes: 480, minMinutes: { minutes: 2880, perDays: 32 } };
 * ```
 */
export interface MaintenanceRules {
  /** Every occurrence lasts at least this long. */
  minWindowMinutes?: number;
  /** Every occurrence lasts at most this long. */
  maxWindowMinutes?: number;
  /** At most this much maintenance per ISO week (Monday to Sunday, local). */
  maxMinutesPerWeek?: number;
  /** At least `minutes` of maintenance in every run of `perDays` consecutive local days. */
  minMinutes?: { minutes: number; perDays: number };
}

/**
 * Everything the package needs to know about a service agreement. All windows are local wall time
 * in `zone`.
 *
 * @example
 * ```ts
 * const weekendOnly: SlaProfile = { ...defaultProfile, name: 'weekend', maintenanceWindow: [{ weekdays: ['sun'], start: '02:00', end: '06:00' }] };
 * ```
 */
export interface SlaProfile {
  name: string;
  zone: string;
  /** When the provider's staff work (business hours); `business` clocks run only here. */
  serviceWindow: WindowSpec[];
  /** Agreed maintenance: time in it counts as neither available nor down. */
  maintenanceWindow: WindowSpec[];
  maintenanceExclusions?: Exclusion[];
  holidays?: HolidaySpec;
  /** Days that can be working days (default Monday to Friday); holidays never are. */
  workingDays?: Weekday[];
  /** Minimum notice for planned downtime, as elapsed hours between two instants. */
  noticeHours: number;
  capacityExpansionWorkingDays: number;
  /** `priorityMatrix[impact][urgency]`. */
  priorityMatrix: Record<Level, Record<Level, Priority>>;
  targets: Record<Priority, PriorityTarget>;
  maintenanceRules?: MaintenanceRules;
  /** Monthly availability the provider promises (0..1), shown in reports when set. */
  availabilityTarget?: number;
}

/**
 * The service definition kluis follows, in `Europe/Amsterdam`: service window Monday–Friday
 * 09:00–17:30 (not on Dutch public holidays), maintenance on Saturdays 09:00–17:00, at least 12 hours'
 * notice for planned downtime, capacity expansion within 3 working days (Dutch public holidays are
 * not working days). Priorities follow the usual impact × urgency matrix; response, update and
 * resolution targets are common industry values (the definition leaves them to the agreement):
 * P1 15 min / hourly / 4 h and P2 1 h / 2 h / 8 h around the clock, P3 4 h / 8 h / 24 h and
 * P4 8 h / 16 h / 72 h in business hours.
 *
 * @example
 * ```ts
 * const sla = createSla(defaultProfile);
 * sla.maintenance.contains('2026-03-28T10:00:00+01:00'); // true
 * ```
 */
export const defaultProfile: SlaProfile = deepFreeze({
  name: 'kluis default (service definition)',
  zone: 'Europe/Amsterdam',
  serviceWindow: [
    {
      name: 'service window',
      weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
      start: '09:00',
      end: '17:30',
      skipHolidays: true,
    },
  ],
  maintenanceWindow: [{ name: 'maintenance window', weekdays: ['sat'], start: '09:00', end: '17:00' }],
  holidays: { country: 'NL' },
  workingDays: ['mon', 'tue', 'wed', 'thu', 'fri'],
  noticeHours: 12,
  capacityExpansionWorkingDays: 3,
  priorityMatrix: {
    high: { high: 'P1', medium: 'P2', low: 'P3' },
    medium: { high: 'P2', medium: 'P3', low: 'P4' },
    low: { high: 'P3', medium: 'P4', low: 'P4' },
  },
  targets: {
    P1: { responseMinutes: 15, updateMinutes: 60, resolutionMinutes: 240, clock: '24/7' },
    P2: { responseMinutes: 60, updateMinutes: 120, resolutionMinutes: 480, clock: '24/7' },
    P3: { responseMinutes: 240, updateMinutes: 480, resolutionMinutes: 1440, clock: 'business' },
    P4: { responseMinutes: 480, updateMinutes: 960, resolutionMinutes: 4320, clock: 'business' },
  },
  maintenanceRules: { maxWindowMinutes: 480 },
});

function deepFreeze<O extends object>(o: O): O {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) deepFreeze(v);
  return Object.freeze(o);
}
