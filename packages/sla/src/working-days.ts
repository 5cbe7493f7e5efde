import type { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import { holidaySchema, parseOrThrow, zoneSchema } from './_schemas.ts';
import { instant, type PlainDate, startOfDay, T, toEpochMs } from './_temporal.ts';
import { holidayPredicate } from './holidays.ts';
import type { HolidaySpec, InstantInput, Weekday } from './types.ts';

const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const optionsSchema = z
  .object({
    zone: zoneSchema,
    workingDays: z
      .array(z.enum(WEEKDAYS as [Weekday, ...Weekday[]]))
      .min(1)
      .optional(),
    holidays: holidaySchema.optional(),
  })
  .strict();

/**
 * Working-day arithmetic in one zone: a working day is a local date whose weekday is in
 * `workingDays` and that is not a holiday.
 *
 * @example
 * ```ts
 * const wd = createWorkingDays({ zone: 'Europe/Amsterdam', holidays: { country: 'NL' } });
 * wd.add('2026-04-24T15:00:00+02:00', 3).date; // '2026-04-30' (Mon 27 April is King's Day)
 * ```
 */
export interface WorkingDays {
  /**
   * Whether a local date (`YYYY-MM-DD`) is a working day.
   *
   * @example
   * ```ts
   * wd.isWorkingDay('2026-12-25'); // false
   * ```
   */
  isWorkingDay(date: string): boolean;
  /**
   * The `n`th working day after the local date of `t` (the day of `t` itself does not count;
   * with `n = 0`, that day if it is a working day, else the next one), and the deadline: the end
   * of that day, as an instant.
   *
   * @example
   * ```ts
   * const { date, deadline } = wd.add('2026-03-27T16:00:00+01:00', 3); // '2026-04-01', 2026-04-01T22:00:00Z
   * ```
   */
  add(t: InstantInput, n: number): { date: string; deadline: Temporal.Instant };
  /**
   * How many working days lie after the local date of `a`, up to and including that of `b`.
   *
   * @example
   * ```ts
   * wd.between('2026-03-27T16:00:00+01:00', '2026-04-01T12:00:00+02:00'); // 3
   * ```
   */
  between(a: InstantInput, b: InstantInput): number;
}

/**
 * Options of {@link createWorkingDays}.
 *
 * @example
 * ```ts
 * const o: WorkingDaysOptions = { zone: 'Europe/Amsterdam', workingDays: ['mon', 'tue', 'wed', 'thu', 'fri'], holidays: { country: 'NL' } };
 * ```
 */
export interface WorkingDaysOptions {
  zone: string;
  /** Default Monday to Friday. */
  workingDays?: Weekday[];
  holidays?: HolidaySpec;
}

/**
 * Builds working-day arithmetic for a zone, weekdays and holidays (e.g. Dutch public holidays).
 *
 * @example
 * ```ts
 * const wd = createWorkingDays({ zone: 'Europe/Amsterdam', holidays: { country: 'NL' } });
 * wd.add(new Date(), 3).deadline; // when a capacity expansion ordered now is due
 * ```
 */
export function createWorkingDays(options: WorkingDaysOptions): WorkingDays {
  const o = parseOrThrow(optionsSchema, options, 'working-day options') as WorkingDaysOptions;
  const days = new Set((o.workingDays ?? WEEKDAYS.slice(0, 5)).map((d) => WEEKDAYS.indexOf(d) + 1));
  const holiday = o.holidays ? holidayPredicate(o.holidays) : () => false;
  const works = (d: PlainDate) => days.has(d.dayOfWeek) && !holiday(d.toString());
  const dateOf = (t: InstantInput) => instant(toEpochMs(t, 't')).toZonedDateTimeISO(o.zone).toPlainDate();
  return {
    isWorkingDay: (date) => works(parseDate(date)),
    add(t, n) {
      if (!Number.isInteger(n) || n < 0 || n > 100_000) {
        throw new RangeError(`n: expected a whole number of working days 0..100000, got ${n}`);
      }
      let d = dateOf(t);
      let left = n;
      if (n === 0) while (!works(d)) d = d.add({ days: 1 });
      while (left > 0) {
        d = d.add({ days: 1 });
        if (works(d)) left--;
      }
      return { date: d.toString(), deadline: instant(startOfDay(d.add({ days: 1 }), o.zone)) };
    },
    between(a, b) {
      const end = dateOf(b);
      let count = 0;
      for (let d = dateOf(a).add({ days: 1 }); T.PlainDate.compare(d, end) <= 0; d = d.add({ days: 1 })) {
        if (works(d)) count++;
      }
      return count;
    },
  };
}

function parseDate(date: string): PlainDate {
  try {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error();
    return T.PlainDate.from(date, { overflow: 'reject' });
  } catch {
    throw new RangeError(`date: expected a local date YYYY-MM-DD, got "${date}"`);
  }
}
