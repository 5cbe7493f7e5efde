import { union } from './_intervals.ts';
import { instant, toEpochMs } from './_temporal.ts';
import type { InstantInput, Interval } from './types.ts';

/**
 * Merges periods so that no instant is counted twice: overlapping or touching periods become one,
 * empty ones vanish, the result is ordered. Idempotent and independent of input order.
 *
 * @example
 * ```ts
 * mergeIntervals([
 *   { start: '2026-03-10T08:00Z', end: '2026-03-10T09:00Z' },
 *   { start: '2026-03-10T08:30Z', end: '2026-03-10T10:00Z' },
 * ]).map((i) => `${i.start}/${i.end}`); // ['2026-03-10T08:00:00Z/2026-03-10T10:00:00Z']
 * ```
 */
export function mergeIntervals(intervals: readonly { start: InstantInput; end: InstantInput }[]): Interval[] {
  const ranges = intervals.map((r, i) => {
    const start = toEpochMs(r.start, `intervals[${i}].start`);
    const end = toEpochMs(r.end, `intervals[${i}].end`);
    if (end < start) throw new RangeError(`intervals[${i}].end: must not be before start`);
    return { start, end };
  });
  return union(ranges).map((r) => ({ start: instant(r.start), end: instant(r.end) }));
}

/**
 * Total length in milliseconds of the union of the periods (overlaps counted once).
 *
 * @example
 * ```ts
 * totalMs([{ start: '2026-03-10T08:00Z', end: '2026-03-10T09:00Z' }, { start: '2026-03-10T08:30Z', end: '2026-03-10T09:30Z' }]); // 5400000
 * ```
 */
export function totalMs(intervals: readonly { start: InstantInput; end: InstantInput }[]): number {
  let sum = 0;
  for (const r of mergeIntervals(intervals)) sum += r.end.epochMilliseconds - r.start.epochMilliseconds;
  return sum;
}
