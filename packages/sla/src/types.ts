import type { Temporal } from 'temporal-polyfill';

/**
 * Anything this package accepts as an instant: a `Temporal.Instant`, a `Date`, an ISO 8601
 * string with `Z` or an offset, or epoch milliseconds.
 *
 * @example
 * ```ts
 * const t: InstantInput = '2026-03-28T21:00:00+01:00';
 * ```
 */
export type InstantInput = Temporal.Instant | Date | string | number;

/**
 * A half-open period `[start, end)` between two instants.
 *
 * @example
 * ```ts
 * import { Temporal } from 'temporal-polyfill';
 *
 * const i: Interval = { start: Temporal.Instant.from('2026-01-01T00:00Z'), end: Temporal.Instant.from('2026-01-02T00:00Z') };
 * ```
 */
export interface Interval {
  start: Temporal.Instant;
  end: Temporal.Instant;
}

/**
 * A day of the week, Monday first as in ISO 8601.
 *
 * @example
 * ```ts
 * const weekend: Weekday[] = ['sat', 'sun'];
 * ```
 */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/**
 * A window that repeats on every local date matching all of its filters (an omitted filter
 * matches every date). `start` is inclusive and `end` exclusive, both local `HH:MM` wall-clock
 * times in the calendar's zone; an `end` at or before `start` crosses midnight into the next day,
 * and `'24:00'` means the end of the day. Following RFC 5545, an occurrence whose local start time
 * does not exist (skipped by a DST change) is dropped; a repeated local time means its first
 * occurrence; an `end` that falls in a skipped hour ends the window when the clocks jump.
 *
 * @example
 * ```ts
 * const lastFridayNight: RecurringWindow = { name: 'patch night', weekdays: ['fri'], daysOfMonth: [-7, -6, -5, -4, -3, -2, -1], start: '22:00', end: '02:00' };
 * ```
 */
export interface RecurringWindow {
  kind?: 'recurring';
  /** A label carried by every occurrence (default `'window'`). */
  name?: string;
  weekdays?: Weekday[];
  /** 1..31, or -1..-31 counted from the end of the month (-1 is the last day). */
  daysOfMonth?: number[];
  /** 1..12. */
  months?: number[];
  /** Local `HH:MM`, inclusive. */
  start: string;
  /** Local `HH:MM` (or `24:00`), exclusive; at or before `start` means the next day. */
  end: string;
  /** First local date (`YYYY-MM-DD`, inclusive) on which the window starts. */
  from?: string;
  /** Last local date (`YYYY-MM-DD`, inclusive) on which the window starts. */
  until?: string;
  /** Drop occurrences starting on a public holiday of the calendar's `holidays`. */
  skipHolidays?: boolean;
}

/**
 * A window that happens once. `start` and `end` are ISO 8601 date-times: with `Z` or an offset
 * they are instants; without, local wall time in the calendar's zone (a local time skipped by a DST
 * change is refused, a repeated one means its first occurrence).
 *
 * @example
 * ```ts
 * const upgrade: OneOffWindow = { kind: 'once', name: 'storage upgrade', start: '2026-06-06T07:00', end: '2026-06-06T19:00' };
 * ```
 */
export interface OneOffWindow {
  kind: 'once';
  name?: string;
  start: string;
  end: string;
}

/**
 * A recurring or one-off window.
 *
 * @example
 * ```ts
 * const windows: WindowSpec[] = [{ weekdays: ['sat'], start: '09:00', end: '17:00' }];
 * ```
 */
export type WindowSpec = RecurringWindow | OneOffWindow;

/**
 * Time cut out of a calendar: a whole local date (no occurrence starts on it) or an interval
 * (ISO date-times as in {@link OneOffWindow}) removed from every occurrence it overlaps.
 *
 * @example
 * ```ts
 * const freeze: Exclusion[] = [{ date: '2026-12-26' }, { start: '2026-12-20T00:00', end: '2027-01-04T00:00' }];
 * ```
 */
export type Exclusion = { date: string } | { start: string; end: string };

/**
 * The holiday types known to the holiday data (`public` are days off by law or custom).
 *
 * @example
 * ```ts
 * const types: HolidayType[] = ['public', 'bank'];
 * ```
 */
export type HolidayType = 'public' | 'bank' | 'school' | 'optional' | 'observance';

/**
 * Where public holidays come from: a country (ISO 3166-1 alpha-2), optionally a state and region,
 * the holiday types that count (default `['public']`), and extra local dates that count too.
 *
 * @example
 * ```ts
 * const nl: HolidaySpec = { country: 'NL', extra: ['2030-05-05'] }; // Liberation Day, a day off every five years
 * ```
 */
export interface HolidaySpec {
  country: string;
  state?: string;
  region?: string;
  types?: HolidayType[];
  extra?: string[];
}

/**
 * A set of windows in one time zone, with exclusions and holidays.
 *
 * @example
 * ```ts
 * const spec: CalendarSpec = { zone: 'Europe/Amsterdam', windows: [{ weekdays: ['sat'], start: '09:00', end: '17:00' }] };
 * ```
 */
export interface CalendarSpec {
  /** An IANA time zone such as `Europe/Amsterdam`. */
  zone: string;
  windows: WindowSpec[];
  exclusions?: Exclusion[];
  holidays?: HolidaySpec;
}

/**
 * One occurrence of a window, after exclusions.
 *
 * @example
 * ```ts
 * const o: Occurrence | undefined = calendar.occurrenceAt('2026-03-28T10:00:00+01:00');
 * ```
 */
export interface Occurrence {
  name: string;
  start: Temporal.Instant;
  end: Temporal.Instant;
  /** Local wall time of `start` and `end` in the calendar's zone, e.g. `2026-03-28T09:00+01:00`. */
  localStart: string;
  localEnd: string;
}

/**
 * A problem found in a configuration, with the path of the field at fault.
 *
 * @example
 * ```ts
 * const issue: ValidationIssue = { path: 'windows[0].start', message: 'expected HH:MM' };
 * ```
 */
export interface ValidationIssue {
  path: string;
  message: string;
}

/**
 * The result of a non-throwing validation.
 *
 * @example
 * ```ts
 * const r: ValidationResult = validateCalendar({ zone: 'Mars/Base', windows: [] });
 * if (!r.ok) for (const i of r.issues) console.error(`${i.path}: ${i.message}`);
 * ```
 */
export interface ValidationResult {
  ok: boolean;
  issues: ValidationIssue[];
}
