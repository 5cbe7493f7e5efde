import { describe, expect, it } from 'vitest';
import { applyPolicy, simulate, type Version } from '../src/index.ts';

describe('simulate', () => {
  it('daily backups for two years under 7:1d,4:1w,12:1m,3:1y keep the expected 22 versions', () => {
    const r = simulate('7:1d,4:1w,12:1m,3:1y', {
      start: '2026-01-01T02:00:00Z',
      end: '2027-12-31T02:00:00Z',
      every: '1d',
    });
    expect(r.created).toBe(730);
    const days = r.final.decisions.filter((d) => d.keep).map((d) => d.time.slice(0, 10));
    expect(days).toEqual([
      ...['31', '30', '29', '28', '27', '26', '25', '19', '12'].map((d) => `2027-12-${d}`), // dailies, then weeklies
      ...[
        '11-30',
        '10-31',
        '09-30',
        '08-31',
        '07-31',
        '06-30',
        '05-31',
        '04-30',
        '03-31',
        '02-28',
        '01-31',
      ].map((d) => `2027-${d}`),
      '2026-12-31', // yearly
      '2026-01-01', // the yearly rule is short (2 of 3 years), so it keeps the oldest
    ]);
  });

  it('reports what remains at each point', () => {
    const r = simulate('7d', {
      start: '2026-01-01T02:00:00Z',
      end: '2026-03-01T02:00:00Z',
      every: '1d',
      report: '1w',
    });
    expect(r.points.map((p) => p.at.slice(0, 10))).toEqual([
      ...['01-08', '01-15', '01-22', '01-29', '02-05', '02-12', '02-19', '02-26'].map((d) => `2026-${d}`),
      '2026-03-01',
    ]);
    // A report at 02:00 follows the backup at 02:00: seven days of versions, the oldest exactly 6 days old.
    expect(r.points.map((p) => p.count)).toEqual([7, 7, 7, 7, 7, 7, 7, 7, 7]);
    expect(r.points[0]?.oldest).toBe('2026-01-02T02:00:00.000Z');
  });

  it('hourly backups for two weeks under 24h:1h,7d:1d', () => {
    const r = simulate('24h:1h,7d:1d', {
      start: '2026-03-23T00:00:00Z',
      end: '2026-04-05T23:00:00Z',
      every: '1h',
      report: '1d',
    });
    expect(r.created).toBe(14 * 24);
    // 24 hourly versions (all of 5 April) plus the last version of each of the six days before.
    expect(r.points.at(-1)?.count).toBe(30);
    expect(r.points.every((p, i) => i < 7 || p.count === 30)).toBe(true);
  });

  it('answers "what will this policy keep next month" from the current versions', () => {
    const current: Version[] = Array.from({ length: 10 }, (_, i) => ({
      id: `now-${i}`,
      time: new Date(Date.UTC(2026, 10, 17 + i, 2)),
    }));
    const r = simulate('7d,3:1m', {
      initial: current,
      start: '2026-11-27T02:00:00Z',
      end: '2026-12-27T02:00:00Z',
      every: '1d',
      version: () => ({ size: 1 }),
    });
    // 21–27 December (7d), 30 November (monthly), and the oldest (the monthly rule has 1 of 3 left).
    expect(r.final.keep.map((v) => v.time)).toEqual([
      ...[27, 26, 25, 24, 23, 22, 21].map((d) => new Date(Date.UTC(2026, 11, d, 2))),
      new Date(Date.UTC(2026, 10, 30, 2)),
      new Date(Date.UTC(2026, 10, 17, 2)),
    ]);
    expect(r.final.keep.at(-1)?.id).toBe('now-0');
  });

  it('equals repeated evaluation', () => {
    const policy = {
      rules: [
        { kind: 'hourly', count: 5 },
        { kind: 'daily', count: 'all', within: '3d' },
        { kind: 'within', duration: '10h' },
      ],
    } as const;
    const r = simulate(policy, { start: '2026-03-27T00:00:00Z', end: '2026-04-02T00:00:00Z', every: '5h' });
    let current: Version[] = [];
    for (let k = 0; k < r.created; k++) {
      const time = new Date(Date.parse('2026-03-27T00:00:00Z') + k * 5 * 3_600_000);
      current = [
        ...applyPolicy([...current, { id: `sim-${String(k).padStart(6, '0')}`, time }], policy, { now: time })
          .keep,
      ];
    }
    const last = applyPolicy(current, policy, { now: '2026-04-02T00:00:00Z' });
    expect(r.final.decisions).toEqual(last.decisions);
  });

  it('refuses an empty or reversed schedule', () => {
    expect(() =>
      simulate('7d', { start: '2026-01-02T00:00:00Z', end: '2026-01-01T00:00:00Z', every: '1d' }),
    ).toThrow(RangeError);
    expect(() =>
      simulate('7d', { start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z', every: { days: 0 } }),
    ).toThrow(/options\.every/);
  });
});
