import { describe, expect, it } from 'vitest';
import { applyPolicy, type KeepReason, type RuleInput, type Version } from '../src/index.ts';
import vectors from './vectors/restic-policy.json' with { type: 'json' };

type ResticPolicy = {
  last?: number | 'all';
  hourly?: number | 'all';
  daily?: number | 'all';
  weekly?: number | 'all';
  monthly?: number | 'all';
  yearly?: number | 'all';
  within?: string;
  withinHourly?: string;
  withinDaily?: string;
  withinWeekly?: string;
  withinMonthly?: string;
  withinYearly?: string;
  tags?: string[][];
};

const PERIODS = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
const cap = (s: string): string => `${s[0]?.toUpperCase()}${s.slice(1)}`;

/** restic's ExpirePolicy fields as kluis rules. */
function rulesOf(p: ResticPolicy): RuleInput[] {
  const rules: RuleInput[] = (p.tags ?? []).map((tags) => ({ kind: 'tag', tags }));
  if (p.within !== undefined) rules.push({ kind: 'within', duration: p.within });
  for (const kind of ['last', ...PERIODS] as const) {
    const count = p[kind];
    if (count !== undefined) rules.push({ kind, count });
  }
  for (const kind of PERIODS) {
    const within = p[`within${cap(kind)}` as keyof ResticPolicy] as string | undefined;
    if (within !== undefined) rules.push({ kind, count: 'all', within });
  }
  return rules;
}

// The fixture's reason codes: `daily`, `daily*` (oldest), `daily~` (restic's "daily within"), `within`, `tag:a+b`.
function codeOf(r: KeepReason, rules: readonly RuleInput[]): string {
  const rule = rules[r.ruleIndex ?? -1];
  if (rule === undefined) throw new Error(`reason without a rule: ${r.text}`);
  if (rule.kind === 'tag') return `tag:${rule.tags.join('+')}`;
  if (rule.kind === 'within') return 'within';
  return `${rule.kind}${rule.within === undefined ? '' : '~'}${r.oldest ? '*' : ''}`;
}

// Ids in input order, so that restic's stable sort (equal times keep input order) is reproduced
// by kluis's tie-break (the smaller id counts as newer).
const versions: Version[] = (vectors.snapshots as [string, string[]?, string[]?][]).map(
  ([time, tags, paths], i) => ({
    id: `s${String(i).padStart(3, '0')}`,
    time,
    ...(tags === undefined ? {} : { tags }),
    ...(paths === undefined ? {} : { paths }),
  }),
);

describe('restic golden outcomes (internal/data/testdata/policy_keep_snapshots_*)', () => {
  it('has the 40 cases and 103 snapshots of the source', () => {
    expect(vectors.cases).toHaveLength(40);
    expect(versions).toHaveLength(103);
  });

  vectors.cases.forEach((c, n) => {
    it(`case ${n}: ${JSON.stringify(c.policy)}`, () => {
      const rules = rulesOf(c.policy as ResticPolicy);
      // restic cuts days in the snapshot's stored zone; the test snapshots are all UTC.
      const result = applyPolicy(
        versions,
        { preset: 'restic', zone: vectors.zone, groupBy: [], rules },
        { now: '2026-01-01T00:00:00Z' },
      );
      const got: Record<string, string[]> = {};
      for (const d of result.decisions) {
        if (d.keep) got[String(Number(d.id.slice(1)))] = d.reasons.map((r) => codeOf(r, rules)).sort();
      }
      const want = Object.fromEntries(
        Object.entries(c.keep as Record<string, string[]>).map(([k, v]) => [k, [...v].sort()]),
      );
      expect(got).toEqual(want);
    });
  });
});
