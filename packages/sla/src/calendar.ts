import { type CompiledCalendar, compileCalendar } from './_calendar.ts';
import type { Span } from './_intervals.ts';
import { instant, localString, toEpochMs } from './_temporal.ts';
import type { CalendarSpec, InstantInput, Occurrence } from './types.ts';

/**
 * A set of windows in one zone, ready for queries. Every query works on instants; local wall time
 * is only used to place windows, through Temporal.
 *
 * @example
 * ```ts
 * const maintenance = createCalendar({ zone: 'Europe/Amsterdam', windows: [{ weekdays: ['sat'], start: '09:00', end: '17:00' }] });
 * maintenance.contains('2026-03-28T10:00:00+01:00'); // true
 * ```
 */
export interface Calendar {
  readonly zone: string;
  /**
   * Whether instant `t` lies inside an occurrence (start inclusive, end exclusive).
   *
   * @example
   * ```ts
   * calendar.contains(new Date());
   * ```
   */
  contains(t: InstantInput): boolean;
  /**
   * The occurrence containing `t` (the earliest-starting one when windows overlap).
   *
   * @example
   * ```ts
   * calendar.occurrenceAt('2026-03-28T10:00:00+01:00')?.end.toString(); // '2026-03-28T16:00:00Z'
   * ```
   */
  occurrenceAt(t: InstantInput): Occurrence | undefined;
  /**
   * The next `count` occurrences that end after `t`, an occurrence in progress at `t` first.
   * Searches at most `horizonYears` (default 10) ahead, so a filter that never matches ends.
   *
   * @example
   * ```ts
   * calendar.next('2026-03-28T18:00:00+01:00', 2).map((o) => o.localStart); // ['2026-04-04T09:00+02:00', '2026-04-11T09:00+02:00']
   * ```
   */
  next(t: InstantInput, count?: number, options?: { horizonYears?: number }): Occurrence[];
  /**
   * The occurrences overlapping `[start, end)`, ordered by start; not cut to the interval.
   *
   * @example
   * ```ts
   * calendar.between('2026-03-01T00:00Z', '2026-04-01T00:00Z').length; // 4 Saturdays
   * ```
   */
  between(start: InstantInput, end: InstantInput): Occurrence[];
}

/** Converts an internal span to the public occurrence shape. */
export function toOccurrence(s: Span, zone: string): Occurrence {
  return {
    name: s.name,
    start: instant(s.start),
    end: instant(s.end),
    localStart: localString(s.start, zone),
    localEnd: localString(s.end, zone),
  };
}

/** Wraps a compiled calendar in the public interface. */
export function wrapCalendar(c: CompiledCalendar): Calendar {
  const zone = c.zone;
  return {
    zone,
    contains: (t) => c.at(toEpochMs(t, 't')) !== undefined,
    occurrenceAt: (t) => {
      const s = c.at(toEpochMs(t, 't'));
      return s && toOccurrence(s, zone);
    },
    next: (t, count = 1, options = {}) => {
      if (!Number.isInteger(count) || count < 0)
        throw new RangeError(`count: expected an integer >= 0, got ${count}`);
      const years = options.horizonYears ?? 10;
      if (!(years > 0 && years <= 1000))
        throw new RangeError(`horizonYears: expected 0 < years <= 1000, got ${years}`);
      return c.next(toEpochMs(t, 't'), count, Math.ceil(years * 366)).map((s) => toOccurrence(s, zone));
    },
    between: (start, end) => {
      const a = toEpochMs(start, 'start');
      const b = toEpochMs(end, 'end');
      if (b < a) throw new RangeError('end: must not be before start');
      return c.between(a, b).map((s) => toOccurrence(s, zone));
    },
  };
}

/**
 * Validates a calendar spec and compiles it for queries. Throws `TypeError` (wrong type or
 * unknown field) or `RangeError` (bad value) with a message naming the field, e.g.
 * `invalid calendar: windows[0].start: expected a local time HH:MM (00:00..23:59)`.
 * Use {@link validateCalendar} to collect problems without throwing.
 *
 * @example
 * ```ts
 * const cal = createCalendar({
 *   zone: 'Europe/Amsterdam',
 *   windows: [{ name: 'night batch', weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '23:00', end: '01:00' }],
 *   exclusions: [{ date: '2026-12-25' }],
 * });
 * cal.contains('2026-03-31T00:30:00+02:00'); // true: Monday's window runs past midnight
 * ```
 */
export function createCalendar(spec: CalendarSpec): Calendar {
  return wrapCalendar(compileCalendar(spec));
}
