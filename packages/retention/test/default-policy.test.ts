import { describe, expect, it } from 'vitest';
import { applyPolicy, defaultPolicy, type Version } from '../src/index.ts';

const HOUR = 3_600_000;
/** A version every 12 hours from 2026-02-25T00:00Z to 2026-03-10T12:00Z (28 versions), 100 bytes each. */
const versions: Version[] = Array.from({ length: 28 }, (_, k) => ({
  id: `v${String(k).padStart(2, '0')}`,
  time: new Date(Date.parse('2026-02-25T00:00:00Z') + k * 12 * HOUR),
  size: 100,
}));
const now = { now: '2026-03-10T12:00:00Z' };
const ids = (list: readonly Version[]): string[] => list.map((v) => v.id);

describe('default policy: keep 7 days, as long as capacity allows', () => {
  it('keeps exactly the versions newer than now − 7 days', () => {
    const r = applyPolicy(versions, defaultPolicy(), now);
    // 2026-03-03T12:00Z is exactly 7 days old: not newer, so dropped.
    expect(ids(r.keep)).toEqual(ids(versions.slice(14)).reverse());
    expect(r.decisions.find((d) => d.id === 'v13')).toMatchObject({
      time: '2026-03-03T12:00:00.000Z',
      keep: false,
      dropReasons: [{ rule: 'within', kind: 'outside-window' }],
    });
  });

  it('the number of days is configurable', () => {
    expect(applyPolicy(versions, defaultPolicy({ days: 14 }), now).keep).toHaveLength(28);
    expect(applyPolicy(versions, defaultPolicy({ days: 1 }), now).keep).toHaveLength(2);
  });

  it('with a capacity, drops the oldest of those days first and reports the bytes', () => {
    const r = applyPolicy(versions, defaultPolicy({ capacity: 1000 }), now);
    expect(ids(r.keep)).toEqual(ids(versions.slice(18)).reverse());
    expect(r.capacity).toEqual({
      capacity: 1000,
      keptBytes: 1000,
      policyFreedBytes: 1400,
      capacityFreedBytes: 400,
      beyondPolicy: ['v14', 'v15', 'v16', 'v17'],
      fits: true,
    });
  });

  it('a size estimator replaces the sizes', () => {
    const r = applyPolicy(versions, defaultPolicy({ capacity: 150 }), {
      ...now,
      sizeOf: (v) => (v.id === 'v27' ? 100 : 50),
    });
    expect(ids(r.keep)).toEqual(['v27', 'v26']);
    expect(r.capacity).toMatchObject({ keptBytes: 150, capacityFreedBytes: 600, fits: true });
  });

  it('never drops the newest or a pinned version, even when that does not fit', () => {
    const pinned = versions.map((v) => (v.id === 'v20' ? { ...v, pinned: true } : v));
    const r = applyPolicy(pinned, defaultPolicy({ capacity: 50 }), now);
    expect(ids(r.keep)).toEqual(['v27', 'v20']);
    expect(r.capacity).toMatchObject({ keptBytes: 200, fits: false });
  });

  it('keeps the newest version when everything is older than 7 days', () => {
    const r = applyPolicy(versions, defaultPolicy(), { now: '2026-06-01T00:00:00Z' });
    expect(ids(r.keep)).toEqual(['v27']);
    expect(r.decisions[0]?.reasons.map((x) => x.rule)).toEqual(['newest']);
  });

  it('measures days in the policy zone: 7 days before 31 March in Amsterdam are 167 hours', () => {
    const edge: Version[] = [
      { id: 'now', time: '2026-03-31T12:00:00Z' },
      { id: '167.5h', time: '2026-03-24T12:30:00Z' },
      { id: '166.5h', time: '2026-03-24T13:30:00Z' },
    ];
    const at = { now: '2026-03-31T12:00:00Z' };
    expect(ids(applyPolicy(edge, defaultPolicy({ zone: 'Europe/Amsterdam' }), at).keep)).toEqual([
      'now',
      '166.5h',
    ]);
    expect(ids(applyPolicy(edge, defaultPolicy(), at).keep)).toEqual(['now', '166.5h', '167.5h']);
  });
});
