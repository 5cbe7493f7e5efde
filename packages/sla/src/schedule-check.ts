import type { Temporal } from 'temporal-polyfill';

/**
 * A broken scheduling rule, with the exact period at fault (instants and local wall time).
 * Rules: `overlap` (a maintenance occurrence overlaps the service window), `min-window` /
 * `max-window` (an occurrence too short / too long), `max-per-week` (too much maintenance in one
 * ISO week), `min-per-days` (too little maintenance in a run of consecutive days).
 *
 * @example
 * ```ts
 * const v: ScheduleViolation = sla.checkSchedule({ from: '2026-01-01', years: 5 }).violations[0]!;
 * v.message; // 'maintenance window overlaps the service window 2026-03-30T09:00+02:00 – 2026-03-30T10:00+02:00'
 * ```
 */
export interface ScheduleViolation {
  rule: 'overlap' | 'min-window' | 'max-window' | 'max-per-week' | 'min-per-days';
  start: Temporal.Instant;
  end: Temporal.Instant;
  localStart: string;
  localEnd: string;
  message: string;
}

/**
 * The result of checking a schedule over a horizon.
 *
 * @example
 * ```ts
 * const r: ScheduleCheck = sla.checkSchedule({ from: '2026-01-01', years: 10 });
 * r.ok; // true for the default profile
 * ```
 */
export interface ScheduleCheck {
  ok: boolean;
  /** Local dates of the checked horizon, `to` exclusive. */
  from: string;
  to: string;
  maintenanceOccurrences: number;
  violations: ScheduleViolation[];
}

/**
 * Options of a schedule check: the first local date and how many years to check (default 5).
 *
 * @example
 * ```ts
 * const o: ScheduleCheckOptions = { from: '2026-01-01', years: 5 };
 * ```
 */
export interface ScheduleCheckOptions {
  from: string;
  years?: number;
}
