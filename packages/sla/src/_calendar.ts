import { bySpan, clip, type Range, type Span } from './_intervals.ts';
import { calendarSchema, parseOrThrow } from './_schemas.ts';
import { type PlainDate, resolveLocal, T, toEpochMs } from './_temporal.ts';
import { holidayPredicate } from './holidays.ts';
import type { CalendarSpec, RecurringWindow, Weekday } from './types.ts';

const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

interface Rule {
  name: string;
  weekdays?: Set<number>;
  days?: number[];
  months?: Set<number>;
  start: ReturnType<typeof T.PlainTime.from>;
  end: ReturnType<typeof T.PlainTime.from>;
  endNextDay: boolean;
  from?: PlainDate;
  until?: PlainDate;
  skipHolidays: boolean;
}

/** A calendar compiled for fast queries in epoch milliseconds. */
export interface CompiledCalendar {
  zone: string;
  /** Occurrences overlapping `[a, b)`, after exclusions, ordered. */
  between(a: number, b: number): Span[];
  /** The first occurrence containing `t`. */
  at(t: number): Span | undefined;
  /** The next `n` occurrences that end after `t` (one in progress at `t` included). */
  next(t: number, n: number, horizonDays: number): Span[];
  isHoliday(date: PlainDate): boolean;
}

function compileRule(w: RecurringWindow): Rule {
  const rule: Rule = {
    name: w.name ?? 'window',
    start: T.PlainTime.from(w.start),
    end: T.PlainTime.from(w.end === '24:00' ? '00:00' : w.end),
    endNextDay: w.end === '24:00' || w.end <= w.start,
    skipHolidays: w.skipHolidays ?? false,
  };
  if (w.weekdays) rule.weekdays = new Set(w.weekdays.map((d) => WEEKDAYS.indexOf(d) + 1));
  if (w.daysOfMonth) rule.days = w.daysOfMonth;
  if (w.months) rule.months = new Set(w.months);
  if (w.from) rule.from = T.PlainDate.from(w.from);
  if (w.until) rule.until = T.PlainDate.from(w.until);
  return rule;
}

function matches(r: Rule, d: PlainDate, holiday: (d: PlainDate) => boolean): boolean {
  if (r.weekdays && !r.weekdays.has(d.dayOfWeek)) return false;
  if (r.months && !r.months.has(d.month)) return false;
  if (r.days && !r.days.some((x) => (x > 0 ? x : d.daysInMonth + x + 1) === d.day)) return false;
  if (r.from && T.PlainDate.compare(d, r.from) < 0) return false;
  if (r.until && T.PlainDate.compare(d, r.until) > 0) return false;
  return !(r.skipHolidays && holiday(d));
}

/** Resolves an ISO date-time: an instant if it has an offset, else local time in `zone`. */
export function resolveDateTime(value: string, zone: string, field: string): number {
  try {
    return T.Instant.from(value).epochMilliseconds;
  } catch {
    // no offset: local wall time in the zone
  }
  let pdt: ReturnType<typeof T.PlainDateTime.from>;
  try {
    pdt = T.PlainDateTime.from(value);
  } catch {
    return toEpochMs(value, field); // throws a RangeError naming the field
  }
  const ms = resolveLocal(pdt.toPlainDate(), pdt.toPlainTime(), zone, 'none');
  if (ms === undefined)
    throw new RangeError(`${field}: local time ${value} does not exist in ${zone} (DST gap)`);
  return ms;
}

function compileWindows(spec: CalendarSpec, what: string): { rules: Rule[]; once: Span[] } {
  const rules: Rule[] = [];
  const once: Span[] = [];
  spec.windows.forEach((w, i) => {
    const at = `${what}.windows[${i}]`;
    if (w.kind === 'once') {
      const s = resolveDateTime(w.start, spec.zone, `${at}.start`);
      const e = resolveDateTime(w.end, spec.zone, `${at}.end`);
      if (e <= s) throw new RangeError(`${at}.end: must be after start (${w.start})`);
      once.push({ start: s, end: e, name: w.name ?? 'window' });
      return;
    }
    if (w.skipHolidays && !spec.holidays) {
      throw new RangeError(`${at}.skipHolidays: needs ${what}.holidays to say which holidays`);
    }
    rules.push(compileRule(w));
  });
  return { rules, once: once.sort(bySpan) };
}

function compileExclusions(spec: CalendarSpec, what: string): { dates: Set<string>; ranges: Range[] } {
  const dates = new Set<string>();
  const ranges: Range[] = [];
  (spec.exclusions ?? []).forEach((x, i) => {
    if ('date' in x) {
      dates.add(x.date);
      return;
    }
    const s = resolveDateTime(x.start, spec.zone, `${what}.exclusions[${i}].start`);
    const e = resolveDateTime(x.end, spec.zone, `${what}.exclusions[${i}].end`);
    if (e <= s) throw new RangeError(`${what}.exclusions[${i}].end: must be after start (${x.start})`);
    ranges.push({ start: s, end: e });
  });
  return { dates, ranges: ranges.sort((a, b) => a.start - b.start) };
}

/** The occurrences of `rules` that start on local date `d`, before exclusions. */
function onDate(rules: Rule[], d: PlainDate, zone: string, isHoliday: (d: PlainDate) => boolean): Span[] {
  const out: Span[] = [];
  for (const r of rules) {
    if (!matches(r, d, isHoliday)) continue;
    const start = resolveLocal(d, r.start, zone, 'none');
    if (start === undefined) continue; // RFC 5545: a start at a skipped local time has no occurrence
    const end = resolveLocal(r.endNextDay ? d.add({ days: 1 }) : d, r.end, zone, 'transition');
    if (end !== undefined && end > start) out.push({ start, end, name: r.name });
  }
  return out;
}

/**
 * Validates and compiles a calendar spec; throws TypeError/RangeError naming the field at fault.
 */
export function compileCalendar(input: CalendarSpec, what = 'calendar'): CompiledCalendar {
  const spec = parseOrThrow(calendarSchema, input, what) as CalendarSpec;
  const zone = spec.zone;
  const { rules, once } = compileWindows(spec, what);
  const excluded = compileExclusions(spec, what);
  const holidayOf = spec.holidays ? holidayPredicate(spec.holidays) : () => false;
  const isHoliday = (d: PlainDate) => holidayOf(d.toString());
  const day = (d: PlainDate) => (excluded.dates.has(d.toString()) ? [] : onDate(rules, d, zone, isHoliday));
  const clipAll = (spans: Span[]) => spans.flatMap((s) => clip(s, excluded.ranges));
  const dateOf = (t: number) => T.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(zone).toPlainDate();

  const between = (a: number, b: number): Span[] => {
    const out: Span[] = [...once];
    const last = dateOf(b);
    for (let d = dateOf(a).subtract({ days: 1 }); T.PlainDate.compare(d, last) <= 0; d = d.add({ days: 1 })) {
      out.push(...day(d));
    }
    const overlaps = (s: Span) => s.start < b && s.end > a;
    return clipAll(out.filter(overlaps)).filter(overlaps).sort(bySpan);
  };

  const next = (t: number, n: number, horizonDays: number): Span[] => {
    const out: Span[] = [];
    let d = dateOf(t).subtract({ days: 1 });
    for (let i = 0; i <= horizonDays + 1 && out.length < n; i++, d = d.add({ days: 1 })) {
      out.push(...clipAll(day(d)).filter((s) => s.end > t));
    }
    out.push(...clipAll(once).filter((s) => s.end > t));
    return out.sort(bySpan).slice(0, n);
  };

  const at = (t: number) => between(t, t + 1).find((s) => s.start <= t && t < s.end);
  return { zone, between, at, next, isHoliday };
}
