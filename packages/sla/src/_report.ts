import { ledger, measureAvailability, resolvePeriod } from './_availability.ts';
import type { Context } from './_context.ts';
import type { Range } from './_intervals.ts';
import { instant, localString, toEpochMs } from './_temporal.ts';
import type { DowntimeLog, Period } from './availability.ts';
import type { IncidentEvaluation, TargetCheck } from './incident.ts';
import type { ReportIncident, ReportSpan, SlaReport } from './report.ts';

const minutes = (ms: number) => Math.round(ms / 600) / 100;

function span(ctx: Context, start: number, end: number): ReportSpan {
  return {
    start: instant(start).toString(),
    end: instant(end).toString(),
    localStart: localString(start, ctx.zone),
    localEnd: localString(end, ctx.zone),
    minutes: minutes(end - start),
  };
}

function target(c: TargetCheck) {
  return { due: c.due.toString(), ...(c.at ? { at: c.at.toString() } : {}), met: c.met ?? null };
}

type Ledger = ReturnType<typeof ledger>;

/** Builds the JSON report of a period. */
export function buildReport(ctx: Context, period: Period, log: DowntimeLog): SlaReport {
  const range = resolvePeriod(ctx, period);
  const asOf = log.asOf === undefined ? range.end : Math.min(range.end, toEpochMs(log.asOf, 'asOf'));
  const books = ledger(ctx, log, asOf);
  const a = measureAvailability(ctx, range, books.entries);
  const incidents = incidentRows(ctx, range, log, books);
  const target = ctx.profile.availabilityTarget;
  const label =
    'month' in period
      ? period.month
      : `${localString(range.start, ctx.zone)} – ${localString(range.end, ctx.zone)}`;
  const windows = (c: Context['service']) =>
    c.between(range.start, range.end).map((o) => ({ ...span(ctx, o.start, o.end), name: o.name }));
  return {
    profile: ctx.profile.name,
    zone: ctx.zone,
    title: `Service report ${label}`,
    period: span(ctx, range.start, range.end),
    asOf: instant(asOf).toString(),
    availability: a.availability,
    ...(target !== undefined ? { availabilityTarget: target, targetMet: a.availability >= target } : {}),
    totals: {
      committedMinutes: minutes(a.committedMs),
      maintenanceWindowMinutes: minutes(a.maintenanceWindowMs),
      plannedMinutes: minutes(a.plannedMs),
      unplannedMinutes: minutes(a.unplannedMs),
      downtimeMinutes: minutes(a.downtimeMs),
      maintenanceMinutes: minutes(a.maintenanceMs),
    },
    periods: a.periods.map((p) => ({
      ...span(ctx, ms(p.start), ms(p.end)),
      kind: p.kind,
      sources: p.sources,
    })),
    incidents,
    downtime: downtimeRows(ctx, range, log, books),
    breaches: breachRows(books, new Set(incidents.map((i) => i.id))),
    warnings: warningRows(ctx, books, new Set(incidents.map((i) => i.id))),
    maintenanceWindows: windows(ctx.maintenance),
    serviceWindows: windows(ctx.service),
  };
}

const ms = (t: { epochMilliseconds: number }) => t.epochMilliseconds;
const overlaps = (r: Range, s: number, e: number) => s < r.end && Math.max(e, s + 1) > r.start;

function incidentRows(ctx: Context, range: Range, log: DowntimeLog, books: Ledger): ReportIncident[] {
  return books.evaluations
    .map((e, i) => ({ e, src: log.incidents![i]! }))
    .filter(({ e }) => overlaps(range, ms(e.start), ms(e.end)))
    .map(({ e, src }) => reportIncident(ctx, e, src.events));
}

function downtimeRows(ctx: Context, range: Range, log: DowntimeLog, books: Ledger): SlaReport['downtime'] {
  return (log.downtime ?? [])
    .map((d, i) => ({ c: books.downtime[i]!, s: toEpochMs(d.start, 'start'), e: toEpochMs(d.end, 'end') }))
    .filter(({ s, e }) => overlaps(range, s, e))
    .map(({ c, s, e }) => ({
      ...span(ctx, s, e),
      id: c.id,
      kind: c.kind,
      noticeMs: c.noticeMs ?? null,
      reasons: c.reasons,
    }));
}

function breachRows(books: Ledger, ids: Set<string>): SlaReport['breaches'] {
  return books.evaluations
    .filter((e) => ids.has(e.id))
    .flatMap((e) => e.breaches)
    .map((b) => ({
      incident: b.incident,
      kind: b.kind,
      due: b.due.toString(),
      ...(b.at ? { at: b.at.toString() } : {}),
      message: b.message,
    }));
}

function warningRows(ctx: Context, books: Ledger, ids: Set<string>): SlaReport['warnings'] {
  return books.evaluations
    .filter((e) => ids.has(e.id) && e.awaitingAcceptanceSince !== undefined)
    .map((e) => {
      const since = e.awaitingAcceptanceSince!.epochMilliseconds;
      const localSince = localString(since, ctx.zone);
      const open = minutes(e.end.epochMilliseconds - since);
      return {
        incident: e.id,
        kind: 'awaiting-acceptance' as const,
        since: instant(since).toString(),
        localSince,
        message: `${e.id} was signed off at ${localSince}, inside the service window, and never accepted by the coordinator: it still counts as downtime (${open} min since the sign-off); record the acceptance or a sign-off outside the service window`,
      };
    });
}

function reportIncident(
  ctx: Context,
  e: IncidentEvaluation,
  events: { type: string; at: unknown; note?: string }[],
): ReportIncident {
  return {
    ...span(ctx, e.start.epochMilliseconds, e.end.epochMilliseconds),
    id: e.id,
    ...(e.title !== undefined ? { title: e.title } : {}),
    priority: e.priority,
    endRule: e.endRule,
    unavailable: e.unavailable,
    response: target(e.response),
    resolution: target(e.resolution),
    reasons: e.reasons,
    events: events
      .map((ev) => ({ ev, t: toEpochMs(ev.at, 'events.at') }))
      .sort((x, y) => x.t - y.t)
      .map(({ ev, t }) => ({
        type: ev.type,
        at: instant(t).toString(),
        local: localString(t, ctx.zone),
        ...(ev.note !== undefined ? { note: ev.note } : {}),
      })),
  };
}
