import type { Temporal } from 'temporal-polyfill';
import type { Context } from './_context.ts';
import { type Range, union } from './_intervals.ts';
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

/** Builds the per-request check. */
export function unavailabilityCheck(ctx: Context, o: UnavailabilityOptions = {}) {
  const whole = o.wholeMaintenanceWindow ?? true;
  const fixed: Block[] = (o.downtime ?? []).map((d, i) => {
    const start = toEpochMs(d.start, `downtime[${i}].start`);
    const end = toEpochMs(d.end, `downtime[${i}].end`);
    if (end <= start) throw new RangeError(`downtime[${i}].end: must be after start`);
    return { start, end, reason: d.note ?? d.id ?? 'announced downtime' };
  });
  return (now: InstantInput = Date.now()): UnavailabilityStatus => {
    const t = toEpochMs(now, 'now');
    const blocks: Block[] = fixed.filter((b) => b.end > t);
    if (whole) {
      for (const m of ctx.maintenance.next(t, 8, 400)) blocks.push({ ...m, reason: m.name });
    }
    const here = blocks.filter((b) => b.start <= t && t < b.end);
    if (here.length === 0) return { unavailable: false };
    // Extend through back-to-back blocks so a client is not told to retry into more downtime.
    const span = union(blocks).find((r) => r.start <= t && t < r.end)!;
    const seconds = Math.max(1, Math.ceil((span.end - t) / 1000));
    const names = [...new Set(here.map((b) => b.reason))].join(', ');
    return {
      unavailable: true,
      reason: `${names} until ${localString(span.end, ctx.zone)}`,
      retryAfterSeconds: seconds,
      until: instant(span.end),
    };
  };
}
