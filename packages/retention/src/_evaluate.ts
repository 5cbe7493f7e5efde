import { capacityProtected, fitCapacity, sizeGetter } from './_capacity.ts';
import { evaluateGroup } from './_group.ts';
import { type Item, newestFirst, prepare } from './_prepare.ts';
import type { Ledger } from './_rules.ts';
import { isoOf, type ZoneClock } from './_zone.ts';
import type { Decision, DropReason, RetentionResult } from './result-types.ts';
import type { Policy, Version } from './types.ts';

/** Internal evaluation inputs (already validated policy, resolved clock, shared label cache). */
export interface EvalInput {
  readonly policy: Policy;
  readonly nowMs: number;
  readonly clock: ZoneClock;
  readonly sizeOf?: ((v: Version) => number) | undefined;
}

/** Evaluates a policy over versions: rules per group, then capacity across all groups. */
export function evaluate(versions: readonly Version[], input: EvalInput): RetentionResult {
  const { policy, nowMs, clock } = input;
  const groups = prepare(versions, policy.groupBy);
  const ledger: Ledger = { keep: new Map(), miss: new Map() };
  for (const items of groups.values()) {
    const l = evaluateGroup(items, { policy, nowMs, clock });
    for (const [k, v] of l.keep) ledger.keep.set(k, v);
    for (const [k, v] of l.miss) ledger.miss.set(k, v);
  }
  const all: Item[] = [...groups.values()].flat().sort(newestFirst);
  const kept = new Set<Item>(all.filter((i) => ledger.keep.has(i)));
  let capacity: RetentionResult['capacity'];
  let capacityReasons = new Map<Item, DropReason>();
  if (policy.capacity !== undefined) {
    const fit = fitCapacity(
      all,
      kept,
      capacityProtected(groups.values()),
      policy.capacity,
      sizeGetter(input.sizeOf),
    );
    capacity = fit.report;
    capacityReasons = fit.reasons;
  }
  const decisions: Decision[] = all.map((item) => {
    const reasons = ledger.keep.get(item) ?? [];
    const cap = capacityReasons.get(item);
    const keep = kept.has(item);
    const dropReasons = keep ? [] : cap !== undefined ? [cap] : (ledger.miss.get(item) ?? []);
    return { id: item.v.id, time: isoOf(item.ms), group: item.group, keep, reasons, dropReasons };
  });
  const result: RetentionResult = {
    policy,
    now: isoOf(nowMs),
    keep: all.filter((i) => kept.has(i)).map((i) => i.v),
    drop: all.filter((i) => !kept.has(i)).map((i) => i.v),
    decisions,
  };
  return capacity === undefined ? result : { ...result, capacity };
}
