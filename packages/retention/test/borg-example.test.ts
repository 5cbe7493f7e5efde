import { describe, expect, it } from 'vitest';
import { applyPolicy, type Version } from '../src/index.ts';

// The example from borg's documentation ("borg prune visualized", docs/misc/prune-example.txt in
// borgbackup/borg): one archive on every day of 2015 except 2015-12-19, evaluated on 2016-01-01
// with --keep-daily 14 --keep-monthly 6 --keep-yearly 1.
const versions: Version[] = [];
for (let t = Date.UTC(2015, 0, 1, 12); t < Date.UTC(2016, 0, 1); t += 86_400_000) {
  const day = new Date(t).toISOString().slice(0, 10);
  if (day !== '2015-12-19') versions.push({ id: day, time: new Date(t) });
}
const rules = [
  { kind: 'daily', count: 14 },
  { kind: 'monthly', count: 6 },
  { kind: 'yearly', count: 1 },
] as const;
const now = { now: '2016-01-01T00:00:00Z' };

describe("borg's documented prune example", () => {
  it('exclusive counting (borg preset) keeps what borg keeps, for the same reasons', () => {
    const r = applyPolicy(versions, { preset: 'borg', rules }, now);
    const daily = ['31', '30', '29', '28', '27', '26', '25', '24', '23', '22', '21', '20', '18', '17'];
    expect(r.keep.map((v) => v.id)).toEqual([
      ...daily.map((d) => `2015-12-${d}`),
      ...['11-30', '10-31', '09-30', '08-31', '07-31', '06-30'].map((d) => `2015-${d}`),
      '2015-01-01',
    ]);
    const rulesOf = (id: string): string[] =>
      r.decisions.find((d) => d.id === id)?.reasons.map((x) => x.rule) ?? [];
    expect(rulesOf('2015-12-31')).toEqual(['daily']); // the daily rule runs first; monthly and yearly skip it
    expect(rulesOf('2015-11-30')).toEqual(['monthly']);
    expect(r.decisions.find((d) => d.id === '2015-01-01')?.reasons).toMatchObject([
      { rule: 'yearly', oldest: true },
    ]);
    expect(r.decisions.find((d) => d.id === '2015-05-31')?.dropReasons).toContainEqual(
      expect.objectContaining({ rule: 'monthly', kind: 'beyond-count' }),
    );
  });

  it('shared counting (restic) keeps fewer: December counts as a month and 2015 as the year', () => {
    const r = applyPolicy(versions, { preset: 'restic', rules }, now);
    expect(r.keep.map((v) => v.id).slice(14)).toEqual([
      '2015-11-30',
      '2015-10-31',
      '2015-09-30',
      '2015-08-31',
      '2015-07-31',
    ]);
  });
});
