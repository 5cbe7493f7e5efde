import { describe, expect, it } from 'vitest';
import { applyPolicy, type PolicyInput, type Version } from '../src/index.ts';

const DAY = 86_400_000;
const pad = (n: number): string => String(n).padStart(2, '0');
/** One version a day at 23:00 UTC, 1–14 March 2026 (1 March is a Sunday: ISO week 9). */
const days: Version[] = Array.from({ length: 14 }, (_, i) => ({
  id: `d${pad(i + 1)}`,
  time: `2026-03-${pad(i + 1)}T23:00:00Z`,
}));
const now = { now: '2026-03-15T00:00:00Z' };
const kept = (versions: readonly Version[], policy: PolicyInput | string): string[] =>
  applyPolicy(versions, policy, now).keep.map((v) => v.id);

describe('counting: shared (restic) or exclusive (borg)', () => {
  const rules = [
    { kind: 'daily', count: 7 },
    { kind: 'weekly', count: 2 },
  ] as const;

  it('shared: the 7 dailies already contain both weeklies', () => {
    expect(kept(days, { rules, counting: 'shared', keepNewest: false })).toEqual([
      'd14',
      'd13',
      'd12',
      'd11',
      'd10',
      'd09',
      'd08',
    ]);
  });

  it('exclusive: weeklies skip versions the dailies took and reach back to week 9', () => {
    const r = applyPolicy(days, { rules, counting: 'exclusive', keepNewest: false }, now);
    expect(r.keep.map((v) => v.id)).toEqual(['d14', 'd13', 'd12', 'd11', 'd10', 'd09', 'd08', 'd01']);
    expect(r.decisions.find((d) => d.id === 'd01')?.reasons).toMatchObject([
      { rule: 'weekly', bucket: '2026-W09' },
    ]);
  });
});

describe('per-bucket choice and short rules', () => {
  // Two versions a day: 01:00 and 23:00.
  const twice: Version[] = days.flatMap((v) => [
    v,
    { id: `${v.id}a`, time: String(v.time).replace('T23', 'T01') },
  ]);

  it('pick newest (default) or oldest of each bucket', () => {
    expect(kept(twice, { rules: [{ kind: 'daily', count: 2 }], keepNewest: false })).toEqual(['d14', 'd13']);
    expect(kept(twice, { rules: [{ kind: 'daily', count: 2 }], keepNewest: false, pick: 'oldest' })).toEqual([
      'd14a',
      'd13a',
    ]);
  });

  it('a rule with count left keeps the oldest version too, unless switched off', () => {
    const r = applyPolicy(twice, { rules: [{ kind: 'daily', count: 30 }], keepNewest: false }, now);
    expect(r.keep).toHaveLength(15);
    expect(r.decisions.at(-1)).toMatchObject({
      id: 'd01a',
      keep: true,
      reasons: [{ rule: 'daily', oldest: true }],
    });
    expect(
      kept(twice, { rules: [{ kind: 'daily', count: 30 }], keepNewest: false, keepOldestWhenShort: false }),
    ).toHaveLength(14);
  });
});

describe('anchors, protections and groups', () => {
  const old: Version[] = days.map((v) => ({ ...v, time: new Date(Date.parse(String(v.time)) - 30 * DAY) }));

  it('within is measured from now by default, or from the newest version', () => {
    expect(kept(old, { rules: [{ kind: 'within', duration: '3d' }], keepNewest: false })).toEqual([]);
    expect(
      kept(old, { rules: [{ kind: 'within', duration: '3d' }], keepNewest: false, anchor: 'newest' }),
    ).toEqual(['d14', 'd13', 'd12']);
  });

  it('the newest version is kept even when no rule keeps it; pinned versions always', () => {
    const withPin = old.map((v) => (v.id === 'd02' ? { ...v, pinned: true } : v));
    const r = applyPolicy(withPin, '3d', now);
    expect(r.keep.map((v) => v.id)).toEqual(['d14', 'd02']);
    expect(r.decisions[0]?.reasons).toEqual([{ rule: 'newest', text: 'newest version of its group' }]);
    expect(r.decisions.find((d) => d.id === 'd02')?.reasons).toEqual([{ rule: 'pinned', text: 'pinned' }]);
  });

  it('groups by host and paths: one host never pushes out another', () => {
    const two: Version[] = [
      { id: 'a1', time: '2026-03-14T10:00:00Z', host: 'a' },
      { id: 'a2', time: '2026-03-14T11:00:00Z', host: 'a' },
      { id: 'b1', time: '2026-03-01T10:00:00Z', host: 'b' },
    ];
    expect(kept(two, { rules: [{ kind: 'last', count: 1 }], keepNewest: false })).toEqual(['a2', 'b1']);
    expect(kept(two, { rules: [{ kind: 'last', count: 1 }], keepNewest: false, groupBy: [] })).toEqual([
      'a2',
    ]);
  });

  it('keep-tag keeps every version carrying all the tags', () => {
    const tagged = days.map((v, i) => ({ ...v, tags: i % 5 === 0 ? ['monthly', 'signed'] : ['monthly'] }));
    expect(
      kept(tagged, { rules: [{ kind: 'tag', tags: ['monthly', 'signed'] }], keepNewest: false }),
    ).toEqual(['d11', 'd06', 'd01']);
  });
});

describe('incomplete versions never push out complete ones', () => {
  const versions: Version[] = [
    { id: 'partial-new', time: '2026-03-14T23:30:00Z', complete: false },
    { id: 'full', time: '2026-03-14T01:00:00Z' },
    { id: 'partial-old', time: '2026-03-13T23:30:00Z', complete: false },
    { id: 'full-old', time: '2026-03-13T01:00:00Z' },
  ];

  it('a newer incomplete version does not take the day from the complete one', () => {
    const r = applyPolicy(
      versions,
      { rules: [{ kind: 'daily', count: 1 }], keepOldestWhenShort: false },
      now,
    );
    expect(r.keep.map((v) => v.id)).toEqual(['partial-new', 'full']);
    expect(r.decisions[0]?.reasons.map((x) => x.rule)).toEqual(['newest', 'incomplete']);
    expect(r.decisions[1]?.reasons.map((x) => x.rule)).toEqual(['newest', 'daily']);
    expect(r.decisions[2]?.dropReasons).toMatchObject([{ kind: 'incomplete', takenBy: 'full' }]);
  });
});

describe('explanations of drops', () => {
  it('name the rule that would have kept it and the version that took its bucket', () => {
    const twice: Version[] = [
      { id: 'late', time: '2026-03-14T23:00:00Z' },
      { id: 'early', time: '2026-03-14T01:00:00Z' },
      { id: 'before', time: '2026-03-13T23:00:00Z' },
    ];
    const r = applyPolicy(
      twice,
      { rules: [{ kind: 'daily', count: 1 }], keepNewest: false, keepOldestWhenShort: false },
      now,
    );
    expect(r.decisions[1]?.dropReasons).toEqual([
      {
        rule: 'daily',
        ruleIndex: 0,
        kind: 'bucket-taken',
        bucket: '2026-03-14',
        takenBy: 'late',
        text: 'daily 1 would keep it, but late (newer) took day 2026-03-14',
      },
    ]);
    expect(r.decisions[2]?.dropReasons).toMatchObject([{ kind: 'beyond-count', bucket: '2026-03-13' }]);
  });

  it('reject bad versions with the index and the field', () => {
    expect(() => applyPolicy([{ id: 'a', time: 'yesterday' }], '7d')).toThrow(
      /versions\[0\] \(id "a"\)\.time/,
    );
    expect(() => applyPolicy([{ id: 'a', time: '2026-03-01T00:00:00' }], '7d')).toThrow(RangeError);
    expect(() => applyPolicy([days[0] as Version, days[0] as Version], '7d')).toThrow(
      /"d01" appears more than once/,
    );
    expect(() => applyPolicy([{ id: '', time: new Date() }], '7d')).toThrow(TypeError);
    expect(() => applyPolicy(days, { rules: [], capacity: 10 }, now)).toThrow(
      /version "d14": size is missing/,
    );
  });
});
