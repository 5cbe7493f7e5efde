import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Temporal, ZoneClock } from '../src/_zone.ts';
import { applyPolicy, type Version } from '../src/index.ts';
import { zoneArb } from './arbitraries.ts';

const HOUR = 3_600_000;
const hourly = (fromIso: string, count: number): Version[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `h${String(i).padStart(3, '0')}`,
    time: new Date(Date.parse(fromIso) + i * HOUR),
  }));
const daily = {
  preset: 'kluis',
  keepNewest: false,
  keepOldestWhenShort: false,
  zone: 'Europe/Amsterdam',
  rules: [{ kind: 'daily', count: 'all' }],
} as const;

describe('Europe/Amsterdam daily buckets across DST', () => {
  it('2026-03-29 (clocks forward) is one day of 23 hours', () => {
    const versions = hourly('2026-03-27T23:00:00Z', 71); // local midnight 28 March .. 30 March
    const r = applyPolicy(versions, daily, { now: '2026-04-01T00:00:00Z' });
    expect(r.decisions.filter((d) => d.keep).map((d) => d.time)).toEqual([
      '2026-03-30T21:00:00.000Z', // 23:00 CEST
      '2026-03-29T21:00:00.000Z', // 23:00 CEST, the day began at 23:00Z on the 28th
      '2026-03-28T22:00:00.000Z', // 23:00 CET
    ]);
    const day29 = r.decisions.filter((d) =>
      d.reasons.concat(d.dropReasons).some((x) => x.bucket === '2026-03-29'),
    );
    expect(day29).toHaveLength(23);
    const taken = day29.find((d) => !d.keep)?.dropReasons[0];
    expect(taken).toMatchObject({ kind: 'bucket-taken', takenBy: 'h046', bucket: '2026-03-29' });
  });

  it('2026-10-25 (clocks back) is one day of 25 hours', () => {
    const versions = hourly('2026-10-23T22:00:00Z', 73);
    const r = applyPolicy(versions, daily, { now: '2026-11-01T00:00:00Z' });
    expect(r.decisions.filter((d) => d.keep).map((d) => d.time)).toEqual([
      '2026-10-26T22:00:00.000Z',
      '2026-10-25T22:00:00.000Z', // 23:00 CET
      '2026-10-24T21:00:00.000Z', // 23:00 CEST
    ]);
    const day25 = r.decisions.filter((d) =>
      d.reasons.concat(d.dropReasons).some((x) => x.bucket === '2026-10-25'),
    );
    expect(day25).toHaveLength(25);
  });

  it('the repeated hour 02:00–03:00 on 2026-10-25 is two hourly buckets', () => {
    const versions = [
      { id: 'cest', time: '2026-10-25T00:30:00Z' },
      { id: 'cet', time: '2026-10-25T01:30:00Z' },
    ];
    const r = applyPolicy(
      versions,
      { zone: 'Europe/Amsterdam', rules: [{ kind: 'hourly', count: 'all' }] },
      { now: '2026-10-26T00:00:00Z' },
    );
    expect(r.keep.map((v) => v.id)).toEqual(['cet', 'cest']);
    expect(r.decisions.map((d) => d.reasons.find((x) => x.rule === 'hourly')?.bucket)).toEqual([
      '2026-10-25T02:00+01:00',
      '2026-10-25T02:00+02:00',
    ]);
  });

  it('one calendar day back from noon on 2026-03-29 is 23 elapsed hours', () => {
    const versions = [
      { id: 'now', time: '2026-03-29T12:00:00Z' },
      { id: '23.5h', time: '2026-03-28T12:30:00Z' },
    ];
    const at = { now: '2026-03-29T12:00:00Z' };
    const ams = applyPolicy(
      versions,
      { zone: 'Europe/Amsterdam', rules: [{ kind: 'within', duration: '1d' }] },
      at,
    );
    const utc = applyPolicy(versions, { zone: 'UTC', rules: [{ kind: 'within', duration: '1d' }] }, at);
    expect(ams.keep.map((v) => v.id)).toEqual(['now']);
    expect(utc.keep.map((v) => v.id)).toEqual(['now', '23.5h']);
    expect(ams.decisions[1]?.dropReasons[0]?.text).toContain('2026-03-28T13:00:00.000Z');
  });
});

describe('zone clock agrees with Temporal', () => {
  const instant = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) });
  const duration = fc.record({
    years: fc.integer({ min: 0, max: 3 }),
    months: fc.integer({ min: 0, max: 14 }),
    weeks: fc.integer({ min: 0, max: 5 }),
    days: fc.integer({ min: 0, max: 40 }),
    hours: fc.integer({ min: 0, max: 50 }),
  });

  it('shifting by a calendar duration matches ZonedDateTime add/subtract', () => {
    fc.assert(
      fc.property(
        instant,
        duration,
        zoneArb,
        fc.constantFrom(1 as const, -1 as const),
        (ms, d, zone, sign) => {
          const z = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone);
          const want = (sign === 1 ? z.add(d) : z.subtract(d)).epochMilliseconds;
          expect(new ZoneClock(zone).shift(ms, d, sign)).toBe(want);
        },
      ),
    );
  });

  it('bucket labels match Temporal calendar fields (ISO weeks Monday to Sunday)', () => {
    fc.assert(
      fc.property(instant, zoneArb, (ms, zone) => {
        const z = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone);
        const l = new ZoneClock(zone).labels(ms);
        const p2 = (n: number): string => String(n).padStart(2, '0');
        expect(l.daily).toBe(z.toPlainDate().toString());
        expect(l.weekly).toBe(`${z.yearOfWeek}-W${p2(z.weekOfYear ?? 0)}`);
        expect(l.monthly).toBe(`${z.year}-${p2(z.month)}`);
        expect(l.quarterly).toBe(`${z.year}-Q${Math.ceil(z.month / 3)}`);
        expect(l.hourly).toBe(`${z.toPlainDate().toString()}T${p2(z.hour)}:00${z.offset}`);
      }),
    );
  });

  it('weeks run Monday to Sunday: Sunday 2026-03-29 is in week 13, Monday 2026-03-30 in week 14', () => {
    const c = new ZoneClock('Europe/Amsterdam');
    expect(c.labels(Date.parse('2026-03-29T21:59:59Z')).weekly).toBe('2026-W13');
    expect(c.labels(Date.parse('2026-03-29T22:00:00Z')).weekly).toBe('2026-W14');
    expect(c.labels(Date.parse('2027-01-01T12:00:00Z')).weekly).toBe('2026-W53');
  });
});
