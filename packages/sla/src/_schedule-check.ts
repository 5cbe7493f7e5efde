import type { Context } from './_context.ts';
import { formatMinutes } from './_format.ts';
import { intersect, type Range, type Span, union } from './_intervals.ts';
import { instant, localString, type PlainDate, startOfDay, T } from './_temporal.ts';
import type { MaintenanceRules } from './profile.ts';
import type { ScheduleCheck, ScheduleCheckOptions, ScheduleViolation } from './schedule-check.ts';

type Rule = ScheduleViolation['rule'];

function parseHorizon(o: ScheduleCheckOptions): { from: PlainDate; to: PlainDate } {
  let from: PlainDate;
  try {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(o.from)) throw new Error();
    from = T.PlainDate.from(o.from, { overflow: 'reject' });
  } catch {
    throw new RangeError(`from: expected a local date YYYY-MM-DD, got "${String(o.from)}"`);
  }
  const years = o.years ?? 5;
  if (!Number.isInteger(years) || years < 1 || years > 100) {
    throw new RangeError(`years: expected a whole number 1..100, got ${years}`);
  }
  return { from, to: from.add({ years }) };
}

/** Checks the profile's maintenance schedule over the horizon. */
export function checkSchedule(ctx: Context, o: ScheduleCheckOptions): ScheduleCheck {
  const { from, to } = parseHorizon(o);
  const range = { start: startOfDay(from, ctx.zone), end: startOfDay(to, ctx.zone) };
  const maint = ctx.maintenance.between(range.start, range.end);
  const service = ctx.service.between(range.start, range.end);
  const v: ScheduleViolation[] = [];
  const add: Add = (rule, r, message) =>
    v.push({
      rule,
      start: instant(r.start),
      end: instant(r.end),
      localStart: localString(r.start, ctx.zone),
      localEnd: localString(r.end, ctx.zone),
      message,
    });
  const when = (r: Range) => `${localString(r.start, ctx.zone)} – ${localString(r.end, ctx.zone)}`;
  for (const r of intersect(maint, service)) {
    add('overlap', r, `maintenance window overlaps the service window ${when(r)}`);
  }
  const rules = ctx.profile.maintenanceRules ?? {};
  lengths(maint, rules, when, add);
  const perDay = dailyMinutes(ctx.zone, from, to, maint);
  if (rules.maxMinutesPerWeek !== undefined) weekly(perDay, rules.maxMinutesPerWeek, ctx.zone, add);
  if (rules.minMinutes) sliding(perDay, rules.minMinutes, ctx.zone, add);
  v.sort((a, b) => a.start.epochMilliseconds - b.start.epochMilliseconds || (a.rule < b.rule ? -1 : 1));
  return {
    ok: v.length === 0,
    from: from.toString(),
    to: to.toString(),
    maintenanceOccurrences: maint.length,
    violations: v,
  };
}

function lengths(maint: Span[], rules: MaintenanceRules, when: (r: Range) => string, add: Add): void {
  for (const m of maint) {
    const len = (m.end - m.start) / 60_000;
    const { minWindowMinutes: min, maxWindowMinutes: max } = rules;
    if (min !== undefined && len < min) {
      add(
        'min-window',
        m,
        `${m.name} ${when(m)} lasts ${formatMinutes(len)}, less than ${formatMinutes(min)}`,
      );
    }
    if (max !== undefined && len > max) {
      add(
        'max-window',
        m,
        `${m.name} ${when(m)} lasts ${formatMinutes(len)}, more than ${formatMinutes(max)}`,
      );
    }
  }
}

interface Day {
  date: PlainDate;
  start: number;
  minutes: number;
}

function dailyMinutes(zone: string, from: PlainDate, to: PlainDate, maint: Range[]): Day[] {
  const merged = union(maint);
  const days: Day[] = [];
  let next = startOfDay(from, zone);
  let j = 0; // first merged range that may still overlap the current day
  for (let d = from; T.PlainDate.compare(d, to) < 0; ) {
    const start = next;
    const nd = d.add({ days: 1 });
    next = startOfDay(nd, zone);
    while (j < merged.length && merged[j]!.end <= start) j++;
    let ms = 0;
    for (let k = j; k < merged.length && merged[k]!.start < next; k++) {
      ms += Math.min(next, merged[k]!.end) - Math.max(start, merged[k]!.start);
    }
    days.push({ date: d, start, minutes: ms / 60_000 });
    d = nd;
  }
  return days;
}

type Add = (rule: Rule, r: Range, message: string) => void;

function weekly(days: Day[], max: number, zone: string, add: Add): void {
  let i = 0;
  while (i < days.length) {
    let j = i;
    let total = 0;
    do total += days[j++]!.minutes;
    while (j < days.length && days[j]!.date.dayOfWeek !== 1);
    const end = j < days.length ? days[j]!.start : startOfDay(days[j - 1]!.date.add({ days: 1 }), zone);
    if (total > max) {
      const r = { start: days[i]!.start, end };
      add(
        'max-per-week',
        r,
        `week from ${days[i]!.date} has ${formatMinutes(total)} of maintenance, more than ${formatMinutes(max)}`,
      );
    }
    i = j;
  }
}

function sliding(days: Day[], rule: { minutes: number; perDays: number }, zone: string, add: Add): void {
  const n = rule.perDays;
  let run: { first: number; last: number; least: number } | undefined;
  const flush = () => {
    if (!run) return;
    const lastDay = days[run.last + n - 1]!.date.add({ days: 1 });
    const r = { start: days[run.first]!.start, end: startOfDay(lastDay, zone) };
    const msg = `runs of ${n} days starting ${days[run.first]!.date} … ${days[run.last]!.date} have as little as ${formatMinutes(run.least)} of maintenance, less than ${formatMinutes(rule.minutes)}`;
    add('min-per-days', r, msg);
    run = undefined;
  };
  let sum = 0;
  for (let i = 0; i < days.length; i++) {
    sum += days[i]!.minutes;
    if (i >= n) sum -= days[i - n]!.minutes;
    if (i < n - 1) continue;
    const first = i - n + 1;
    if (sum < rule.minutes) {
      if (run && run.last === first - 1) {
        run.last = first;
        run.least = Math.min(run.least, sum);
      } else {
        flush();
        run = { first, last: first, least: sum };
      }
    } else flush();
  }
  flush();
}
