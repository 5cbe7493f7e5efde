import type { Item } from './_prepare.ts';
import { isoOf, type ZoneClock } from './_zone.ts';
import { BUCKET_NOUN, describeRule } from './policy-string.ts';
import type { DropReason, KeepReason } from './result-types.ts';
import type { Duration, Policy, Rule } from './types.ts';

/** Reasons collected per version while a group is evaluated. */
export interface Ledger {
  readonly keep: Map<Item, KeepReason[]>;
  readonly miss: Map<Item, DropReason[]>;
}

/** What a group evaluation needs besides the versions. */
export interface GroupContext {
  readonly policy: Policy;
  readonly nowMs: number;
  readonly clock: ZoneClock;
}

interface RuleRun {
  readonly rule: Rule;
  readonly index: number;
  readonly name: string;
  readonly complete: readonly Item[];
  readonly ctx: GroupContext;
  readonly anchorMs: number;
  readonly ledger: Ledger;
}

function push<T>(map: Map<Item, T[]>, item: Item, value: T): void {
  const list = map.get(item);
  if (list === undefined) map.set(item, [value]);
  else list.push(value);
}

function cutoff(run: RuleRun, d: Duration): { ms: number; text: string } {
  const ms = run.ctx.clock.shift(run.anchorMs, d, -1);
  return {
    ms,
    text: `${isoOf(ms)} (${run.ctx.policy.anchor === 'now' ? 'now' : 'the newest version'} minus the window)`,
  };
}

function applyWithin(run: RuleRun, d: Duration): void {
  const cut = cutoff(run, d);
  for (const item of run.complete) {
    if (item.ms > cut.ms)
      push(run.ledger.keep, item, {
        rule: 'within',
        ruleIndex: run.index,
        text: `${run.name}: newer than ${cut.text}`,
      });
    else
      push(run.ledger.miss, item, {
        rule: 'within',
        ruleIndex: run.index,
        kind: 'outside-window',
        text: `${run.name}: not newer than ${cut.text}`,
      });
  }
}

function applyTag(run: RuleRun, tags: readonly string[]): void {
  for (const item of run.complete) {
    if (tags.every((t) => item.v.tags?.includes(t)))
      push(run.ledger.keep, item, { rule: 'tag', ruleIndex: run.index, text: `${run.name}: has the tags` });
  }
}

function bucketsOf(run: RuleRun, eligible: readonly Item[]): Bucket[] {
  const kind = run.rule.kind;
  const out: { label: string; members: Item[] }[] = [];
  for (const item of eligible) {
    const label =
      kind === 'last' ? item.v.id : run.ctx.clock.labels(item.ms)[kind as keyof typeof BUCKET_NOUN];
    const last = out[out.length - 1];
    if (last !== undefined && last.label === label) last.members.push(item);
    else out.push({ label, members: [item] });
  }
  return out;
}

/** The versions inside the rule's time bound; those outside get an `outside-window` reason. */
function eligibleFor(run: RuleRun, within: Duration | undefined): readonly Item[] {
  if (within === undefined) return run.complete;
  const cut = cutoff(run, within);
  const text = `${run.name}: not newer than ${cut.text}`;
  for (const item of run.complete) {
    if (item.ms <= cut.ms)
      push(run.ledger.miss, item, {
        rule: run.rule.kind,
        ruleIndex: run.index,
        kind: 'outside-window',
        text,
      });
  }
  return run.complete.filter((i) => i.ms > cut.ms);
}

interface Bucket {
  readonly label: string;
  readonly members: readonly Item[];
}

/** Records one reason for every member of a bucket except `skip`. */
function missMembers(
  run: RuleRun,
  b: Bucket,
  skip: Item | undefined,
  reason: (m: Item) => Omit<DropReason, 'rule' | 'ruleIndex' | 'bucket'>,
): void {
  const bucket = run.rule.kind === 'last' ? {} : { bucket: b.label };
  for (const m of b.members) {
    if (m !== skip)
      push(run.ledger.miss, m, { rule: run.rule.kind, ruleIndex: run.index, ...bucket, ...reason(m) });
  }
}

function applyCounting(run: RuleRun, count: number | 'all', within: Duration | undefined): void {
  const { policy } = run.ctx;
  const noun = run.rule.kind === 'last' ? 'version' : BUCKET_NOUN[run.rule.kind as keyof typeof BUCKET_NOUN];
  const eligible = eligibleFor(run, within);
  let remaining = count === 'all' ? Number.POSITIVE_INFINITY : count;
  const mine = new Set<Item>();
  for (const b of bucketsOf(run, eligible)) {
    const rep = (policy.pick === 'newest' ? b.members[0] : b.members[b.members.length - 1]) as Item;
    const where = run.rule.kind === 'last' ? 'this version' : `${noun} ${b.label}`;
    if (remaining <= 0) {
      const text = `${run.name}: ${where} is older than the ${count} ${noun}s it keeps`;
      missMembers(run, b, undefined, () => ({ kind: 'beyond-count', text }));
    } else if (policy.counting === 'exclusive' && run.ledger.keep.has(rep)) {
      // borg: a bucket whose representative another rule keeps is passed over without counting.
      const text = `${run.name}: ${where} is represented by ${rep.v.id}, already kept by another rule`;
      missMembers(run, b, rep, () => ({ kind: 'counted-elsewhere', takenBy: rep.v.id, text }));
    } else {
      const bucket = run.rule.kind === 'last' ? {} : { bucket: b.label };
      push(run.ledger.keep, rep, {
        rule: run.rule.kind,
        ruleIndex: run.index,
        ...bucket,
        oldest: false,
        text: `${run.name}: ${policy.pick} of ${where}`,
      });
      mine.add(rep);
      remaining--;
      missMembers(run, b, rep, (m) => {
        const rel = m.ms === rep.ms ? 'equally new' : m.ms < rep.ms ? 'newer' : 'older';
        return {
          kind: 'bucket-taken',
          takenBy: rep.v.id,
          text: `${run.name} would keep it, but ${rep.v.id} (${rel}) took ${where}`,
        };
      });
    }
  }
  keepOldestIfShort(run, eligible, mine, remaining);
}

function keepOldestIfShort(
  run: RuleRun,
  eligible: readonly Item[],
  mine: Set<Item>,
  remaining: number,
): void {
  const { policy } = run.ctx;
  const oldest = run.complete[run.complete.length - 1];
  if (!policy.keepOldestWhenShort || remaining <= 0 || oldest === undefined) return;
  if (mine.has(oldest) || eligible[eligible.length - 1] !== oldest) return;
  if (policy.counting === 'exclusive' && run.ledger.keep.has(oldest)) return;
  const left = remaining === Number.POSITIVE_INFINITY ? 'no limit' : `${remaining} left`;
  push(run.ledger.keep, oldest, {
    rule: run.rule.kind,
    ruleIndex: run.index,
    oldest: true,
    text: `${run.name}: oldest version, kept because the rule was short (${left})`,
  });
  const misses = run.ledger.miss.get(oldest);
  if (misses !== undefined)
    run.ledger.miss.set(
      oldest,
      misses.filter((m) => m.ruleIndex !== run.index),
    );
}

/** Applies one rule of the policy to a group's complete versions (newest first). */
export function applyRule(
  rule: Rule,
  index: number,
  complete: readonly Item[],
  ctx: GroupContext,
  anchorMs: number,
  ledger: Ledger,
): void {
  const run: RuleRun = { rule, index, name: describeRule(rule), complete, ctx, anchorMs, ledger };
  if (rule.kind === 'within') applyWithin(run, rule.duration);
  else if (rule.kind === 'tag') applyTag(run, rule.tags);
  else applyCounting(run, rule.count, rule.within);
}
