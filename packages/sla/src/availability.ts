import type { Temporal } from 'temporal-polyfill';
import type { DowntimeAnnouncement } from './downtime.ts';
import type { Incident } from './incident.ts';
import type { InstantInput } from './types.ts';

/**
 * The period to measure: a calendar month in the profile's zone (`'2026-03'`: from local midnight
 * on the 1st to local midnight on the 1st of the next month) or any interval.
 *
 * @example
 * ```ts
 * const march: Period = { month: '2026-03' };
 * const q1: Period = { start: '2026-01-01T00:00:00+01:00', end: '2026-04-01T00:00:00+02:00' };
 * ```
 */
export type Period = { month: string } | { start: InstantInput; end: InstantInput };

/**
 * What happened in a period: incidents and other downtime (announced or not). `asOf` closes open
 * incidents and pending deadlines (default: the end of the period).
 *
 * @example
 * ```ts
 * const log: DowntimeLog = { incidents: [incident], downtime: [{ announcedAt: '2026-03-20T08:00Z', start: '2026-03-21T20:00Z', end: '2026-03-21T22:00Z' }] };
 * ```
 */
export interface DowntimeLog {
  incidents?: Incident[];
  downtime?: DowntimeAnnouncement[];
  asOf?: InstantInput;
}

/**
 * One merged stretch of downtime: overlapping incidents and downtime records are merged so no
 * minute counts twice; where planned and unplanned overlap, the time is unplanned.
 * `maintenance` stretches lie inside the maintenance window and are not downtime.
 *
 * @example
 * ```ts
 * import { Temporal } from 'temporal-polyfill';
 *
 * const p: DowntimePeriod = { kind: 'unplanned', start: Temporal.Instant.from('2026-03-10T07:00Z'), end: Temporal.Instant.from('2026-03-10T08:30Z'), sources: ['INC-1', 'INC-2'] };
 * ```
 */
export interface DowntimePeriod {
  kind: 'planned' | 'unplanned' | 'maintenance';
  start: Temporal.Instant;
  end: Temporal.Instant;
  /** Incident and downtime ids that contributed. */
  sources: string[];
}

/**
 * Availability over a period. `committedMs` is the time the service promised to be available:
 * the period minus the maintenance window (maintenance counts as neither up nor down).
 * `availability = 1 - downtimeMs / committedMs` (1 when nothing was committed).
 *
 * @example
 * ```ts
 * const a: Availability = sla.availability({ month: '2026-03' }, log);
 * a.availability; // e.g. 0.99731
 * ```
 */
export interface Availability {
  start: Temporal.Instant;
  end: Temporal.Instant;
  periodMs: number;
  maintenanceWindowMs: number;
  committedMs: number;
  plannedMs: number;
  unplannedMs: number;
  downtimeMs: number;
  /** Downtime that fell inside the maintenance window (not counted). */
  maintenanceMs: number;
  availability: number;
  periods: DowntimePeriod[];
}
