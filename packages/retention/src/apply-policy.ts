import { evaluate } from './_evaluate.ts';
import { clockFor, toEpochMs } from './_zone.ts';
import { type PolicyInput, parsePolicy } from './parse-policy.ts';
import type { RetentionResult } from './result-types.ts';
import type { Policy, Version } from './types.ts';

/**
 * Options of {@link applyPolicy}.
 *
 * @example
 * ```ts
 * const o: ApplyOptions = { now: '2026-03-01T00:00:00Z', sizeOf: (v) => v.size ?? 0 };
 * ```
 */
export interface ApplyOptions {
  /** The evaluation time (default: the current time). Pass it for reproducible results. */
  readonly now?: Date | string;
  /** Estimates a version's unique size in bytes; default: the version's `size`. */
  readonly sizeOf?: (v: Version) => number;
}

/**
 * Decides which versions a policy keeps. Pure: the same versions, policy and `now` give the
 * same answer, whatever the input order. `keep` and `drop` partition the input (newest first);
 * `decisions` says for every version every rule that keeps it, or why each rule does not (and
 * which version took its bucket). With `policy.capacity`, versions are then dropped oldest
 * first (never pinned ones, never the newest of a group) until the kept sizes fit.
 *
 * @example
 * ```ts
 * const versions = [
 *   { id: 'a', time: '2026-03-01T23:00:00Z' },
 *   { id: 'b', time: '2026-03-01T22:00:00Z' },
 *   { id: 'c', time: '2026-02-20T22:00:00Z' },
 * ];
 * const r = applyPolicy(versions, '7d', { now: '2026-03-02T00:00:00Z' });
 * r.keep.map((v) => v.id); // ['a', 'b']
 * ```
 */
export function applyPolicy(
  versions: readonly Version[],
  policy: Policy | PolicyInput | string,
  options: ApplyOptions = {},
): RetentionResult {
  const p = parsePolicy(policy);
  const nowMs = options.now === undefined ? Date.now() : toEpochMs(options.now, 'options.now');
  return evaluate(versions, { policy: p, nowMs, clock: clockFor(p.zone), sizeOf: options.sizeOf });
}
