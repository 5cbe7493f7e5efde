import { describeRule } from './policy-string.ts';
import type { Decision, RetentionResult } from './result-types.ts';

/**
 * A JSON-ready explanation of a result: the policy in words, the evaluation time, the capacity
 * report, and one entry per version (newest first) with its reasons.
 *
 * @example
 * ```ts
 * const e: Explanation = explainJson(applyPolicy(versions, '7d'));
 * JSON.stringify(e);
 * ```
 */
export interface Explanation {
  readonly now: string;
  readonly policy: string;
  readonly kept: number;
  readonly dropped: number;
  readonly capacity?: RetentionResult['capacity'];
  readonly versions: readonly Decision[];
}

/**
 * The policy in words, e.g. `within 7d; daily 30 (zone UTC, anchor now, shared counting, newest per bucket)`.
 *
 * @example
 * ```ts
 * describePolicy(parsePolicy('7d,30:1d')); // 'within 7d; daily 30 (zone UTC, ...)'
 * ```
 */
export function describePolicy(policy: RetentionResult['policy']): string {
  const rules = policy.rules.length === 0 ? 'no rules' : policy.rules.map(describeRule).join('; ');
  const extra = [
    `zone ${policy.zone}`,
    `anchor ${policy.anchor}`,
    `${policy.counting} counting`,
    `${policy.pick} per bucket`,
    policy.keepOldestWhenShort ? 'oldest kept when short' : undefined,
    policy.keepNewest ? 'newest always kept' : undefined,
    policy.groupBy.length > 0 ? `grouped by ${policy.groupBy.join('+')}` : undefined,
    policy.capacity === undefined ? undefined : `capacity ${policy.capacity} bytes`,
  ].filter((s) => s !== undefined);
  return `${rules} (${extra.join(', ')})`;
}

/**
 * The explanation as plain data, ready for `JSON.stringify`.
 *
 * @example
 * ```ts
 * const json = JSON.stringify(explainJson(applyPolicy(versions, '24h:1h,7d:1d')), null, 2);
 * ```
 */
export function explainJson(result: RetentionResult): Explanation {
  const base = {
    now: result.now,
    policy: describePolicy(result.policy),
    kept: result.keep.length,
    dropped: result.drop.length,
    versions: result.decisions,
  };
  return result.capacity === undefined ? base : { ...base, capacity: result.capacity };
}

/**
 * The explanation as human text: one block per version, newest first, `keep` or `drop`
 * followed by every reason.
 *
 * @example
 * ```ts
 * explainText(applyPolicy(versions, '7d', { now: '2026-03-02T00:00:00Z' }));
 * // policy: within 7d (zone UTC, anchor now, shared counting, ...)
 * // now: 2026-03-02T00:00:00.000Z
 * // group host= paths=:
 * // keep a 2026-03-01T23:00:00.000Z
 * //   - newest version of its group
 * //   - within 7d: newer than 2026-02-23T00:00:00.000Z (now minus the window)
 * // drop c 2026-02-20T22:00:00.000Z
 * //   - within 7d: not newer than 2026-02-23T00:00:00.000Z (now minus the window)
 * ```
 */
export function explainText(result: RetentionResult): string {
  const lines = [`policy: ${describePolicy(result.policy)}`, `now: ${result.now}`];
  let group: string | undefined;
  const grouped = result.policy.groupBy.length > 0;
  const decisions = grouped
    ? [...result.decisions].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0))
    : result.decisions;
  for (const d of decisions) {
    if (grouped && d.group !== group) {
      group = d.group;
      lines.push(`group ${group}:`);
    }
    lines.push(`${d.keep ? 'keep' : 'drop'} ${d.id} ${d.time}`);
    for (const r of d.keep ? d.reasons : d.dropReasons) lines.push(`  - ${r.text}`);
    if (!d.keep && d.reasons.length > 0)
      lines.push(`  (the policy alone would keep it: ${d.reasons.map((r) => r.text).join('; ')})`);
  }
  const c = result.capacity;
  if (c !== undefined) {
    lines.push(
      `capacity ${c.capacity} bytes: kept ${c.keptBytes}, freed ${c.policyFreedBytes} by the policy and ${c.capacityFreedBytes} beyond it` +
        `${c.beyondPolicy.length > 0 ? ` (${c.beyondPolicy.join(', ')})` : ''}${c.fits ? '' : '; still does NOT fit'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
