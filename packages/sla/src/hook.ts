import type { Temporal } from 'temporal-polyfill';
import type { Context } from './_context.ts';
import { type Range, type Span, union } from './_intervals.ts';
import { instant, localString, toEpochMs } from './_temporal.ts';
import type { DowntimeAnnouncement } from './downtime.ts';
import type { InstantInput } from './types.ts';

/**
 * What a server should do now: refuse with 503 and `Retry-After: retryAfterSeconds` while
 * `unavailable`.
 *
 * @example
 * ```ts
 * const s: UnavailabilityStatus = { unavailable: true, reason: 'maintenance window until 2026-03-28T17:00+01:00', retryAfterSeconds: 3600 };
 * ```
 */
export interface UnavailabilityStatus {
  unavailable: boolean;
  reason?: string;
  retryAfterSeconds?: number;
  until?: Temporal.Instant;
}

/**
 * Options of the server hook: whether the whole maintenance window refuses service (default
 * `true`; set `false` to refuse only during announced downtime) and the announced downtime.
 *
 * @example
 * ```ts
 * const o: UnavailabilityOptions = { wholeMaintenanceWindow: false, downtime: [{ start: '2026-06-06T09:00+02:00', end: '2026-06-06T12:00+02:00', note: 'disk swap' }] };
 * ```
 */
export interface UnavailabilityOptions {
  wholeMaintenanceWindow?: boolean;
  downtime?: DowntimeAnnouncement[];
}

interface Block extends Range {
  reason: string;
}

/** Builds the per-request check. Occurrences are remembered, so the common path does no zone math. */
export function unavailabilityCheck(ctx: Context, o: UnavailabilityOptions = {}) {
  const whole = o.wholeMaintenanceWindow ?? true;
  const fixed: Block[] = (o.downtime ?? []).map((d, i) => {
    const start = toEpochMs(d.start, `downtime[${i}].start`);
    const end = toEpochMs(d.end, `downtime[${i}].end`);
    if (end <= start) throw new RangeError(`downtime[${i}].end: must be after start`);
    return { start, end, reason: d.note ?? d.id ?? 'announced downtime' };
  });
  const upcoming = upcomingMaintenance(ctx);
  let span: (Range & { label: string; until: Temporal.Instant }) | undefined; // the last stretch found
  return (now: InstantInput = Date.now()): UnavailabilityStatus => {
    const t = toEpochMs(now, 'now');
    const m = whole ? upcoming(t) : undefined;
    const here: Block[] = fixed.filter((b) => b.start <= t && t < b.end);
    if (m && m.start <= t) here.push({ ...m, reason: m.name });
    if (here.length === 0) return { unavailable: false };
    if (!span || t < span.start || t >= span.end) {
      const blocks: Block[] = fixed.filter((b) => b.end > t);
      if (whole) for (const x of ctx.maintenance.next(t, 8, 400)) blocks.push({ ...x, reason: x.name });
      // Extend through back-to-back blocks so a client is not told to retry into more downtime.
      const r = union(blocks).find((x) => x.start <= t && t < x.end)!;
      span = { ...r, label: localString(r.end, ctx.zone), until: instant(r.end) };
    }
    const names = [...new Set(here.map((b) => b.reason))].join(', ');
    return {
      unavailable: true,
      reason: `${names} until ${span.label}`,
      retryAfterSeconds: Math.max(1, Math.ceil((span.end - t) / 1000)),
      until: span.until,
    };
  };
}

/**
 * The first maintenance occurrence ending after `t`, remembered until `t` passes its end (or
 * moves backwards): between two occurrences no call touches the calendar.
 */
function upcomingMaintenance(ctx: Context): (t: number) => Span | undefined {
  let from = Number.POSITIVE_INFINITY;
  let until = Number.NEGATIVE_INFINITY;
  let next: Span | undefined;
  return (t) => {
    if (t < from || t >= until) {
      next = ctx.maintenance.next(t, 1, 400)[0];
      from = t;
      until = next ? next.end : t + 300 * 86_400_000;
    }
    return next;
  };
}
