import type { Item } from './_prepare.ts';
import { applyRule, type GroupContext, type Ledger } from './_rules.ts';
import type { Rule } from './types.ts';

const KIND_ORDER: Readonly<Record<Rule['kind'], number>> = {
  tag: 0,
  within: 1,
  last: 2,
  hourly: 3,
  daily: 4,
  weekly: 5,
  monthly: 6,
  quarterly: 7,
  yearly: 8,
};

/** Rule indices in evaluation order: as written (shared) or finest first (exclusive). */
function ruleOrder(rules: readonly Rule[], exclusive: boolean): number[] {
  const idx = rules.map((_, i) => i);
  if (!exclusive) return idx;
  return idx.sort(
    (a, b) => KIND_ORDER[(rules[a] as Rule).kind] - KIND_ORDER[(rules[b] as Rule).kind] || a - b,
  );
}

/** The instant `within` windows are measured from: now, or the newest complete version not in the future. */
function anchorOf(complete: readonly Item[], ctx: GroupContext): number {
  if (ctx.policy.anchor === 'now') return ctx.nowMs;
  const past = complete.find((i) => i.ms <= ctx.nowMs);
  return past === undefined ? ctx.nowMs : past.ms;
}

function protect(items: readonly Item[], complete: readonly Item[], ctx: GroupContext, ledger: Ledger): void {
  for (const item of items) {
    if (item.pinned) ledger.keep.set(item, [{ rule: 'pinned', text: 'pinned' }]);
  }
  if (!ctx.policy.keepNewest) return;
  const newest = items[0];
  const newestComplete = complete[0];
  for (const [item, text] of [
    [newest, 'newest version of its group'],
    [newestComplete, 'newest complete version of its group'],
  ] as const) {
    if (item === undefined || ledger.keep.get(item)?.some((r) => r.rule === 'newest')) continue;
    const list = ledger.keep.get(item) ?? [];
    list.push({ rule: 'newest', text });
    ledger.keep.set(item, list);
  }
}

/** Incomplete versions take no bucket; they stay only while no complete version is newer. */
function incomplete(items: readonly Item[], complete: readonly Item[], ledger: Ledger): void {
  const newestComplete = complete[0];
  for (const item of items) {
    if (item.complete) continue;
    const newer = complete.filter((c) => c.ms > item.ms || (c.ms === item.ms && c.v.id < item.v.id));
    const by = newer[newer.length - 1];
    if (by === undefined) {
      const list = ledger.keep.get(item) ?? [];
      list.push({
        rule: 'incomplete',
        text: 'incomplete, but no complete version is newer (kept until one is)',
      });
      ledger.keep.set(item, list);
    } else {
      const text = `incomplete and superseded by complete version ${by.v.id}${by === newestComplete ? '' : ' (and newer ones)'}`;
      ledger.miss.set(item, [{ rule: 'incomplete', kind: 'incomplete', takenBy: by.v.id, text }]);
    }
  }
}

/** Evaluates one group (sorted newest first) and returns every version's reasons. */
export function evaluateGroup(items: readonly Item[], ctx: GroupContext): Ledger {
  const ledger: Ledger = { keep: new Map(), miss: new Map() };
  const complete = items.filter((i) => i.complete);
  protect(items, complete, ctx, ledger);
  const anchorMs = anchorOf(complete, ctx);
  const { rules, counting } = ctx.policy;
  for (const i of ruleOrder(rules, counting === 'exclusive')) {
    applyRule(rules[i] as Rule, i, complete, ctx, anchorMs, ledger);
  }
  incomplete(items, complete, ledger);
  for (const item of items) {
    if (!ledger.keep.has(item) && (ledger.miss.get(item)?.length ?? 0) === 0) {
      ledger.miss.set(item, [{ rule: 'none', kind: 'no-rule', text: 'no rule of the policy keeps it' }]);
    }
  }
  return ledger;
}
