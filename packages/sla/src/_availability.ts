import type { Context } from './_context.ts';
import { evaluate } from './_incident.ts';
import { intersect, measure, type Range, subtract, union } from './_intervals.ts';
import { instant, startOfDay, T, toEpochMs } from './_temporal.ts';
import type { Availability, DowntimeLog, DowntimePeriod, Period } from './availability.ts';
import { classify } from './downtime.ts';
import type { IncidentEvaluation } from './incident.ts';

interface Entry extends Range {
  kind: 'planned' | 'unplanned';
  id: string;
}

/** Resolves a period to epoch milliseconds `[start, end)`. */
export function resolvePeriod(ctx: Context, p: Period): Range {
  if ('month' in p) {
    let ym: ReturnType<typeof T.PlainYearMonth.from>;
    try {
      if (!/^\d{4}-\d{2}$/.test(p.month)) throw new Error();
      ym = T.PlainYearMonth.from(p.month, { overflow: 'reject' });
    } catch {
      throw new RangeError(`month: expected YYYY-MM, got "${String(p.month)}"`);
    }
    const first = ym.toPlainDate({ day: 1 });
    return { start: startOfDay(first, ctx.zone), end: startOfDay(first.add({ months: 1 }), ctx.zone) };
  }
  const start = toEpochMs(p.start, 'period.start');
  const end = toEpochMs(p.end, 'period.end');
  if (end < start) throw new RangeError('period.end: must not be before period.start');
  return { start, end };
}

/** Evaluates the incidents and classifies the downtime of a log, as labelled entries. */
export function ledger(ctx: Context, log: DowntimeLog, asOf: number) {
  const evaluations: IncidentEvaluation[] = (log.incidents ?? []).map((i) => evaluate(ctx, i, asOf));
  const entries: Entry[] = [];
  for (const e of evaluations) {
    if (e.unavailable) {
      entries.push({
        start: e.start.epochMilliseconds,
        end: e.end.epochMilliseconds,
        kind: 'unplanned',
        id: e.id,
      });
    }
  }
  const downtime = (log.downtime ?? []).map((d, i) => {
    const c = classify(ctx, d, `downtime[${i}].`);
    const id = d.id ?? `downtime-${i + 1}`;
    entries.push({
      start: toEpochMs(d.start, `downtime[${i}].start`),
      end: toEpochMs(d.end, `downtime[${i}].end`),
      kind: c.kind === 'unplanned' ? 'unplanned' : 'planned',
      id,
    });
    return { id, ...c };
  });
  return { evaluations, entries, downtime };
}

/** Availability of `range` given labelled entries. */
export function measureAvailability(ctx: Context, range: Range, entries: readonly Entry[]): Availability {
  const period = [range];
  const maintenance = intersect(period, ctx.maintenance.between(range.start, range.end));
  const committed = subtract(period, maintenance);
  const unplanned = intersect(
    entries.filter((e) => e.kind === 'unplanned'),
    committed,
  );
  const planned = subtract(
    intersect(
      entries.filter((e) => e.kind === 'planned'),
      committed,
    ),
    unplanned,
  );
  const inMaintenance = intersect(entries, maintenance);
  const committedMs = measure(committed);
  const plannedMs = measure(planned);
  const unplannedMs = measure(unplanned);
  const downtimeMs = plannedMs + unplannedMs;
  const label = (kind: DowntimePeriod['kind']) => (r: Range) =>
    toPeriod(kind, r, kind === 'maintenance' ? entries : entries.filter((e) => e.kind === kind));
  const periods = [
    ...union(unplanned).map(label('unplanned')),
    ...union(planned).map(label('planned')),
    ...union(inMaintenance).map(label('maintenance')),
  ].sort((a, b) => a.start.epochMilliseconds - b.start.epochMilliseconds);
  return {
    start: instant(range.start),
    end: instant(range.end),
    periodMs: range.end - range.start,
    maintenanceWindowMs: measure(maintenance),
    committedMs,
    plannedMs,
    unplannedMs,
    downtimeMs,
    maintenanceMs: measure(inMaintenance),
    availability: committedMs === 0 ? 1 : Math.min(1, Math.max(0, 1 - downtimeMs / committedMs)),
    periods,
  };
}

function toPeriod(kind: DowntimePeriod['kind'], r: Range, entries: readonly Entry[]): DowntimePeriod {
  const sources = [...new Set(entries.filter((e) => e.start < r.end && e.end > r.start).map((e) => e.id))];
  return { kind, start: instant(r.start), end: instant(r.end), sources: sources.sort() };
}
