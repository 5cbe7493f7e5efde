import type { Context } from './_context.ts';
import { formatDuration } from './_format.ts';
import { intersect, measure } from './_intervals.ts';
import { localString, toEpochMs } from './_temporal.ts';
import type { InstantInput } from './types.ts';

/**
 * A period of downtime the provider announces (or records afterwards). Without `announcedAt` it
 * was not announced, so it is unplanned unless it lies inside the maintenance window.
 *
 * @example
 * ```ts
 * const d: DowntimeAnnouncement = { id: 'CHG-7', announcedAt: '2026-03-27T12:00:00+01:00', start: '2026-03-28T09:00:00+01:00', end: '2026-03-28T13:00:00+01:00' };
 * ```
 */
export interface DowntimeAnnouncement {
  id?: string;
  note?: string;
  announcedAt?: InstantInput;
  start: InstantInput;
  end: InstantInput;
}

/**
 * How a downtime counts, as three separate answers and the accounting that follows from them.
 *
 * - `planned`: announced with at least the profile's notice (article 22.2): a question about the
 *   announcement only. Downtime never announced is not planned, wherever it lies.
 * - `insideMaintenanceWindow`: wholly inside the reserved maintenance window: a question about the
 *   time only.
 * - `noticeMs`: elapsed time from the announcement to the start, in milliseconds (a DST night counts
 *   its real length; negative when announced after the start), `undefined` when never announced.
 * - `kind`: how the availability accounting counts it: `maintenance` (inside the window, neither
 *   available nor down time, announced or not), else `planned` or `unplanned` by notice.
 *
 * @example
 * ```ts
 * const c: DowntimeClassification = sla.classifyDowntime({ start: '2026-02-14T10:00:00+01:00', end: '2026-02-14T12:00:00+01:00' });
 * [c.planned, c.insideMaintenanceWindow, c.kind]; // [false, true, 'maintenance']: never announced, but inside the Saturday window
 * ```
 */
export interface DowntimeClassification {
  kind: 'maintenance' | 'planned' | 'unplanned';
  planned: boolean;
  noticeMs: number | undefined;
  insideMaintenanceWindow: boolean;
  overlapsServiceWindow: boolean;
  reasons: string[];
}

/** Classifies one downtime against the profile. */
export function classify(ctx: Context, d: DowntimeAnnouncement, at = ''): DowntimeClassification {
  const start = toEpochMs(d.start, `${at}start`);
  const end = toEpochMs(d.end, `${at}end`);
  if (end <= start) throw new RangeError(`${at}end: must be after ${at}start`);
  const announced = d.announcedAt === undefined ? undefined : toEpochMs(d.announcedAt, `${at}announcedAt`);
  const z = ctx.zone;
  const required = ctx.profile.noticeHours;
  const noticeMs = announced === undefined ? undefined : start - announced;
  const enough = noticeMs !== undefined && noticeMs >= required * 3_600_000;
  const span = [{ start, end }];
  const inMaint = measure(intersect(span, ctx.maintenance.between(start, end)));
  const inside = inMaint >= end - start;
  const overlapsService = ctx.service.between(start, end).length > 0;
  const reasons: string[] = [];
  if (noticeMs === undefined) reasons.push('not announced in advance');
  else {
    const when = `announced ${localString(announced!, z)}, starts ${localString(start, z)}`;
    reasons.push(
      enough
        ? `${formatDuration(noticeMs, { days: false })} notice (${when}) meets the required ${required} h`
        : `only ${formatDuration(Math.max(0, noticeMs), { days: false })} notice (${when}); ${required} h are required`,
    );
  }
  if (inside) reasons.push('lies wholly inside the maintenance window, which is reserved for it');
  else if (inMaint > 0) {
    reasons.push(`${formatDuration(end - start - inMaint)} of it lies outside the maintenance window`);
  } else reasons.push('lies outside the maintenance window');
  if (overlapsService) reasons.push('overlaps the service window, where work is not done unless agreed');
  const kind = inside ? 'maintenance' : enough ? 'planned' : 'unplanned';
  return {
    kind,
    planned: enough,
    noticeMs,
    insideMaintenanceWindow: inside,
    overlapsServiceWindow: overlapsService,
    reasons,
  };
}
