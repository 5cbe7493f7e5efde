import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyPolicy,
  formatRules,
  parsePolicy,
  parseRules,
  type RetentionResult,
  simulate,
  type Version,
} from '../src/index.ts';
import { nowArb, policyArb, ruleArb, versionsArb } from './arbitraries.ts';

const ids = (list: readonly Version[]): string[] => list.map((v) => v.id).sort();
const newestPerGroup = (r: RetentionResult): Set<string> => {
  const seen = new Set<string>();
  const out = new Set<string>();
  for (const d of r.decisions) {
    if (!seen.has(d.group)) out.add(d.id);
    seen.add(d.group);
  }
  return out;
};

describe('retention properties', () => {
  it('keep and drop partition the input, and decisions cover every version once', () => {
    fc.assert(
      fc.property(versionsArb, policyArb, nowArb, (versions, policy, now) => {
        const r = applyPolicy(versions, policy, { now });
        const kept = ids(r.keep);
        const dropped = ids(r.drop);
        expect([...kept, ...dropped].sort()).toEqual(ids(versions));
        expect(kept.filter((id) => dropped.includes(id))).toEqual([]);
        expect(r.decisions.map((d) => d.id).sort()).toEqual(ids(versions));
        for (const d of r.decisions) expect(d.keep).toBe(kept.includes(d.id));
      }),
    );
  });

  it('keep is monotone in every count', () => {
    fc.assert(
      fc.property(
        versionsArb,
        policyArb,
        nowArb,
        fc.nat(),
        fc.integer({ min: 1, max: 5 }),
        (versions, policy, now, pickRule, more) => {
          const rules = policy.rules ?? [];
          const counting = rules.map((r, i) => ({ r, i })).filter(({ r }) => 'count' in r);
          fc.pre(counting.length > 0);
          const { r, i } = counting[pickRule % counting.length] as (typeof counting)[number];
          if (!('count' in r) || r.count === 'all') return;
          for (const count of [r.count + more, 'all' as const]) {
            const bigger = { ...policy, rules: rules.map((x, j) => (j === i ? { ...r, count } : x)) };
            const before = new Set(ids(applyPolicy(versions, policy, { now }).keep));
            const after = new Set(ids(applyPolicy(versions, bigger, { now }).keep));
            for (const id of before)
              expect(after.has(id), `${id} lost when count grew to ${count}`).toBe(true);
          }
        },
      ),
    );
  });

  it('pinned versions and the newest of each group are always kept, also under capacity pressure', () => {
    fc.assert(
      fc.property(
        versionsArb,
        policyArb,
        nowArb,
        fc.option(fc.integer({ min: 0, max: 5000 })),
        (versions, policy, now, capacity) => {
          const p = { ...policy, keepNewest: true, ...(capacity === null ? {} : { capacity }) };
          const r = applyPolicy(versions, p, { now });
          const kept = new Set(ids(r.keep));
          for (const v of versions) if (v.pinned) expect(kept.has(v.id)).toBe(true);
          for (const id of newestPerGroup(r)) expect(kept.has(id)).toBe(true);
        },
      ),
    );
  });

  it('the outcome does not depend on the input order', () => {
    fc.assert(
      fc.property(
        versionsArb.chain((v) =>
          fc.tuple(fc.constant(v), fc.shuffledSubarray(v, { minLength: v.length, maxLength: v.length })),
        ),
        policyArb,
        nowArb,
        ([versions, shuffled], policy, now) => {
          const a = applyPolicy(versions, policy, { now });
          const b = applyPolicy(shuffled, policy, { now });
          expect(b.decisions).toEqual(a.decisions);
          expect(b.keep.map((v) => v.id)).toEqual(a.keep.map((v) => v.id));
        },
      ),
    );
  });

  it('explanations name a rule for every kept version and a reason for every dropped one', () => {
    fc.assert(
      fc.property(
        versionsArb,
        policyArb,
        nowArb,
        fc.option(fc.integer({ min: 0, max: 5000 })),
        (versions, policy, now, capacity) => {
          const r = applyPolicy(versions, { ...policy, ...(capacity === null ? {} : { capacity }) }, { now });
          const n = r.policy.rules.length;
          for (const d of r.decisions) {
            const list = d.keep ? d.reasons : d.dropReasons;
            expect(list.length, `${d.id} (${d.keep ? 'kept' : 'dropped'}) has no reason`).toBeGreaterThan(0);
            for (const reason of list) {
              expect(reason.text.length).toBeGreaterThan(0);
              if (reason.ruleIndex !== undefined) {
                expect(reason.ruleIndex).toBeLessThan(n);
                expect(r.policy.rules[reason.ruleIndex]?.kind).toBe(reason.rule);
              }
              if ('takenBy' in reason && reason.takenBy !== undefined)
                expect(ids(versions)).toContain(reason.takenBy);
            }
          }
        },
      ),
    );
  });

  it('capacity drops only versions the policy keeps, oldest first, and fits when it can', () => {
    fc.assert(
      fc.property(
        versionsArb,
        policyArb,
        nowArb,
        fc.integer({ min: 0, max: 8000 }),
        (versions, policy, now, capacity) => {
          const plain = applyPolicy(versions, policy, { now });
          const r = applyPolicy(versions, { ...policy, capacity }, { now });
          const c = r.capacity;
          if (c === undefined) throw new Error('no capacity report');
          const policyKept = new Set(ids(plain.keep));
          for (const id of c.beyondPolicy) expect(policyKept.has(id)).toBe(true);
          const keptBytes = r.keep.reduce((s, v) => s + (v.size ?? 0), 0);
          expect(c.keptBytes).toBe(keptBytes);
          expect(c.fits).toBe(keptBytes <= capacity);
          expect(c.capacityFreedBytes + c.keptBytes + c.policyFreedBytes).toBe(
            versions.reduce((s, v) => s + (v.size ?? 0), 0),
          );
          // Oldest first: every version dropped for capacity is older than every droppable version still kept.
          const time = (id: string): number => Date.parse(r.decisions.find((d) => d.id === id)?.time ?? '');
          const complete = new Set(versions.filter((v) => v.complete !== false).map((v) => v.id));
          const newestComplete = newestPerGroup({
            ...r,
            decisions: r.decisions.filter((d) => complete.has(d.id)),
          });
          const pinned = versions.filter((v) => v.pinned).map((v) => v.id);
          const protectedIds = new Set([...newestPerGroup(r), ...newestComplete, ...pinned]);
          const stillDroppable = r.keep.filter((v) => !protectedIds.has(v.id));
          for (const id of c.beyondPolicy)
            for (const v of stillDroppable) expect(time(id)).toBeLessThanOrEqual(time(v.id));
        },
      ),
    );
  });

  it('the compact string form round-trips', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 6 }), (rules) => {
        const policy = parsePolicy({ rules });
        expect(parsePolicy(formatRules(policy.rules)).rules).toEqual(policy.rules);
        expect(parseRules(formatRules(policy.rules))).toEqual(policy.rules);
      }),
    );
  });

  it('simulation equals repeated evaluation', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 300 }),
        (policy, hours, startHour) => {
          const start = Date.UTC(2026, 2, 20) + startHour * 3_600_000;
          const end = start + 4 * 86_400_000;
          const sim = simulate(policy, { start: new Date(start), end: new Date(end), every: { hours } });
          let current: Version[] = [];
          for (let k = 0; start + k * hours * 3_600_000 <= end; k++) {
            const time = new Date(start + k * hours * 3_600_000);
            const next = [...current, { id: `sim-${String(k).padStart(6, '0')}`, time }];
            current = [...applyPolicy(next, policy, { now: time }).keep];
          }
          expect(sim.final.decisions).toEqual(applyPolicy(current, policy, { now: new Date(end) }).decisions);
        },
      ),
      { numRuns: 25 },
    );
  });
});
