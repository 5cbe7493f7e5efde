import Holidays from 'date-holidays';
import { holidaySchema, parseOrThrow } from './_schemas.ts';
import { T } from './_temporal.ts';
import type { HolidaySpec } from './types.ts';

const cache = new Map<string, Set<string>>();

function yearSet(spec: HolidaySpec, year: number): Set<string> {
  const types = spec.types ?? ['public'];
  const key = `${spec.country}|${spec.state ?? ''}|${spec.region ?? ''}|${types.join(',')}|${year}`;
  let set = cache.get(key);
  if (!set) {
    const hd = new Holidays();
    if (!(spec.country in hd.getCountries())) {
      throw new RangeError(`holidays.country: no holiday data for "${spec.country}"`);
    }
    hd.init(spec.country, spec.state ?? '', spec.region ?? '');
    set = new Set();
    for (const h of hd.getHolidays(year)) {
      if ((types as string[]).includes(h.type)) set.add(h.date.slice(0, 10));
    }
    cache.set(key, set);
  }
  return set;
}

/**
 * Returns a predicate telling whether a local date (`YYYY-MM-DD`) is a holiday under `spec`.
 * Holiday data comes from the `date-holidays` package; `extra` dates are added.
 *
 * @example
 * ```ts
 * const isHoliday = holidayPredicate({ country: 'NL' });
 * isHoliday('2026-04-27'); // true: King's Day
 * isHoliday('2026-04-28'); // false
 * ```
 */
export function holidayPredicate(spec: HolidaySpec): (date: string) => boolean {
  const s = parseOrThrow(holidaySchema, spec, 'holidays') as HolidaySpec;
  yearSet(s, 2026); // fail early on an unknown country
  const extra = new Set(s.extra ?? []);
  return (date) => extra.has(date) || yearSet(s, Number(date.slice(0, 4))).has(date);
}

/**
 * The holidays of one year under `spec`, as sorted local dates.
 *
 * @example
 * ```ts
 * holidaysOf({ country: 'NL' }, 2026);
 * // ['2026-01-01', '2026-04-05', '2026-04-06', '2026-04-27', '2026-05-14', '2026-05-24', '2026-05-25', '2026-12-25', '2026-12-26']
 * ```
 */
export function holidaysOf(spec: HolidaySpec, year: number): string[] {
  if (!Number.isInteger(year)) throw new RangeError(`year: expected an integer, got ${year}`);
  const s = parseOrThrow(holidaySchema, spec, 'holidays') as HolidaySpec;
  const all = new Set([...yearSet(s, year), ...(s.extra ?? []).filter((d) => d.startsWith(`${year}-`))]);
  return [...all].sort((a, b) => T.PlainDate.compare(a, b));
}
