import { evaluate } from './_evaluate.ts';
import { clockFor, isoOf, toEpochMs } from './_zone.ts';
import { parseDuration } from './duration.ts';
import { type DurationInput, type PolicyInput, parsePolicy } from './parse-policy.ts';
import type { RetentionResult } from './result-types.ts';
import type { Duration, Policy, Version } from './types.ts';

/**
 * Options of {@link simulate}: a synthetic backup schedule from `start` to `end` (inclusive),
 * one backup every `every`, on top of optional `initial` versions.
 *
 * @example
 * ```ts
 * const o: SimulateOptions = { start: '2026-01-01T00:00:00Z', end: '2027-12-31T23:00:00Z', every: '1h', report: '1m' };
 * ```
 */
export interface SimulateOptions {
  readonly start: Date | string;
  readonly end: Date | string;
  readonly every: DurationInput;
  /** Versions that exist before the first synthetic backup (e.g. a repository's real list). */
  readonly initial?: readonly Version[];
  /** Extra fields for each synthetic version (size, tags, host, complete...). */
  readonly version?: (time: Date, index: number) => Omit<Version, 'id' | 'time'>;
  /** Also evaluate and record what remains every `report` from `start` (default: only at `end`). */
  readonly report?: DurationInput;
  readonly sizeOf?: (v: Version) => number;
}

/**
 * What remains at one point of a simulation.
 *
 * @example
 * ```ts
 * const p: SimulationPoint = { at: '2026-02-01T00:00:00.000Z', count: 31, kept: ['sim-000744'] };
 * ```
 */
export interface SimulationPoint {
  readonly at: string;
  readonly count: number;
  /** Ids of the versions remaining, newest first. */
  readonly kept: readonly string[];
  readonly oldest?: string;
  /** Kept bytes, when the policy has a capacity. */
  readonly bytes?: number;
}

/**
 * The outcome of {@link simulate}: the recorded points and the last evaluation (with its
 * explanations).
 *
 * @example
 * ```ts
 * const r: SimulationResult = simulate('7d', { start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z', every: '1d' });
 * r.final.keep.length; // 7
 * ```
 */
export interface SimulationResult {
  readonly points: readonly SimulationPoint[];
  readonly final: RetentionResult;
  /** Number of synthetic versions created. */
  readonly created: number;
}

const toDuration = (d: DurationInput, field: string): Duration => {
  const out = typeof d === 'string' ? parseDuration(d) : d;
  if (!Object.values(out).some((n) => typeof n === 'number' && n > 0))
    throw new RangeError(`${field}: must be longer than zero`);
  return out;
};

const times = (d: Duration, n: number): Duration => ({
  years: (d.years ?? 0) * n,
  months: (d.months ?? 0) * n,
  weeks: (d.weeks ?? 0) * n,
  days: (d.days ?? 0) * n,
  hours: (d.hours ?? 0) * n,
});

/**
 * Runs a policy over a synthetic schedule: after each backup (and at each report time) the
 * policy is evaluated with `now` = that instant and the dropped versions are removed, as a
 * nightly `forget` would do. The same call answers "what will this policy keep next month":
 * pass the current versions as `initial` and simulate until then.
 *
 * @example
 * ```ts
 * // Hourly backups for two years with 24h:1h,7d:1d,4w:1w,12:1m; what remains each month?
 * const r = simulate('24h:1h,7d:1d,4w:1w,12:1m', {
 *   start: '2026-01-01T00:00:00Z', end: '2027-12-31T23:00:00Z', every: '1h', report: '1m',
 * });
 * r.points.map((p) => p.count);
 * ```
 */
export function simulate(policy: Policy | PolicyInput | string, options: SimulateOptions): SimulationResult {
  const p = parsePolicy(policy);
  const { startMs, endMs, every, report } = scheduleOf(options);
  const clock = clockFor(p.zone);
  const at = (d: Duration, n: number): number => clock.shift(startMs, times(d, n), 1);
  const run = (list: readonly Version[], nowMs: number): RetentionResult =>
    evaluate(list, { policy: p, nowMs, clock, sizeOf: options.sizeOf });
  let final = run(options.initial ?? [], startMs);
  const points: SimulationPoint[] = [];
  let k = 0;
  let r = 1;
  let nextBackup = startMs;
  let nextReport = report === undefined ? Number.POSITIVE_INFINITY : at(report, r);
  while (nextBackup <= endMs || nextReport <= endMs) {
    if (nextReport < nextBackup) {
      final = run(final.keep, nextReport);
      points.push(pointOf(final, nextReport));
      nextReport = at(report as Duration, ++r);
      continue;
    }
    const time = new Date(nextBackup);
    const extra = options.version?.(time, k) ?? {};
    final = run([...final.keep, { ...extra, id: `sim-${String(k).padStart(6, '0')}`, time }], nextBackup);
    nextBackup = at(every, ++k);
  }
  if (points.at(-1)?.at !== isoOf(endMs)) {
    final = run(final.keep, endMs);
    points.push(pointOf(final, endMs));
  }
  return { points, final, created: k };
}

function scheduleOf(o: SimulateOptions): {
  startMs: number;
  endMs: number;
  every: Duration;
  report?: Duration;
} {
  const startMs = toEpochMs(o.start, 'options.start');
  const endMs = toEpochMs(o.end, 'options.end');
  if (endMs < startMs) throw new RangeError('options.end: must not be before options.start');
  const every = toDuration(o.every, 'options.every');
  return o.report === undefined
    ? { startMs, endMs, every }
    : { startMs, endMs, every, report: toDuration(o.report, 'options.report') };
}

function pointOf(result: RetentionResult, atMs: number): SimulationPoint {
  const kept = result.keep.map((v) => v.id);
  const oldest = result.decisions.filter((d) => d.keep).at(-1)?.time;
  const base = { at: isoOf(atMs), count: kept.length, kept, ...(oldest === undefined ? {} : { oldest }) };
  return result.capacity === undefined ? base : { ...base, bytes: result.capacity.keptBytes };
}
