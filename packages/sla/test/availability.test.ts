import { describe, expect, it } from 'vitest';
import { createSla, defaultProfile, type Incident, mergeIntervals, totalMs } from '../src/index.ts';

const sla = createSla();
const H = 3_600_000;
const inc = (id: string, from: string, to: string): Incident => ({
  id,
  impact: 'high',
  urgency: 'high',
  events: [
    { type: 'reported', at: from },
    { type: 'acknowledged', at: from },
    { type: 'accepted', at: to },
  ],
});

describe('availability', () => {
  it('uses calendar months in the service zone, DST included', () => {
    const march = sla.availability({ month: '2026-03' });
    expect(march.periodMs).toBe((31 * 24 - 1) * H);
    expect(march.maintenanceWindowMs).toBe(4 * 8 * H);
    expect(march.committedMs).toBe(711 * H);
    expect(march.availability).toBe(1);
    expect(sla.availability({ month: '2026-10' }).periodMs).toBe((31 * 24 + 1) * H);
    expect(sla.availability({ month: '2027-02' }).periodMs).toBe(28 * 24 * H);
    expect(() => sla.availability({ month: '2026-13' })).toThrow(/month: expected YYYY-MM/);
  });

  it('merges overlapping incidents and never counts a minute twice', () => {
    const a = sla.availability(
      { month: '2026-03' },
      {
        incidents: [
          inc('A', '2026-03-18T10:00:00+01:00', '2026-03-18T13:30:00+01:00'),
          inc('B', '2026-03-18T10:40:00+01:00', '2026-03-18T12:20:00+01:00'),
          inc('C', '2026-03-18T13:00:00+01:00', '2026-03-18T14:00:00+01:00'),
        ],
      },
    );
    expect(a.unplannedMs).toBe(4 * H);
    expect(a.periods).toHaveLength(1);
    expect(a.periods[0]).toMatchObject({ kind: 'unplanned', sources: ['A', 'B', 'C'] });
    expect(a.availability).toBeCloseTo(1 - 4 / 711, 12);
  });

  it('excludes the maintenance window and splits planned from unplanned', () => {
    const a = sla.availability(
      { month: '2026-03' },
      {
        incidents: [inc('I', '2026-03-28T16:00:00+01:00', '2026-03-28T19:00:00+01:00')],
        downtime: [
          {
            id: 'P',
            announcedAt: '2026-03-01T00:00Z',
            start: '2026-03-10T20:00:00+01:00',
            end: '2026-03-10T23:00:00+01:00',
          },
          {
            id: 'Q',
            announcedAt: '2026-03-01T00:00Z',
            start: '2026-03-10T22:00:00+01:00',
            end: '2026-03-11T00:00:00+01:00',
          },
          { id: 'U', start: '2026-03-10T23:00:00+01:00', end: '2026-03-10T23:30:00+01:00' },
        ],
      },
    );
    expect(a.maintenanceMs).toBe(1 * H); // 16:00–17:00 Saturday
    expect(a.unplannedMs).toBe(2.5 * H); // 17:00–19:00 and U
    expect(a.plannedMs).toBe(3.5 * H); // 20:00–00:00 minus U
    expect(a.periods.map((p) => `${p.kind}:${p.sources.join('+')}`)).toEqual([
      'planned:P+Q',
      'unplanned:U',
      'planned:Q',
      'maintenance:I',
      'unplanned:I',
    ]);
  });

  it('measures any interval, and closes open incidents at asOf', () => {
    const open: Incident = {
      id: 'O',
      impact: 'high',
      urgency: 'high',
      events: [{ type: 'reported', at: '2026-03-30T10:00:00+02:00' }],
    };
    const a = sla.availability(
      { start: '2026-03-30T00:00:00+02:00', end: '2026-03-31T00:00:00+02:00' },
      { incidents: [open], asOf: '2026-03-30T12:00:00+02:00' },
    );
    expect(a.periodMs).toBe(24 * H);
    expect(a.unplannedMs).toBe(2 * H);
  });

  it('is 1 when nothing is committed', () => {
    const allMaintenance = createSla({
      ...defaultProfile,
      maintenanceWindow: [{ start: '00:00', end: '24:00' }],
      serviceWindow: [],
    });
    expect(
      allMaintenance.availability(
        { month: '2026-05' },
        { incidents: [inc('X', '2026-05-05T10:00Z', '2026-05-05T12:00Z')] },
      ).availability,
    ).toBe(1);
  });
});

describe('mergeIntervals', () => {
  it('merges overlapping and touching periods', () => {
    const m = mergeIntervals([
      { start: '2026-03-10T10:00Z', end: '2026-03-10T11:00Z' },
      { start: '2026-03-10T08:00Z', end: '2026-03-10T09:00Z' },
      { start: '2026-03-10T09:00Z', end: '2026-03-10T09:30Z' },
      { start: '2026-03-10T10:30Z', end: '2026-03-10T10:45Z' },
    ]);
    expect(m.map((i) => `${i.start}/${i.end}`)).toEqual([
      '2026-03-10T08:00:00Z/2026-03-10T09:30:00Z',
      '2026-03-10T10:00:00Z/2026-03-10T11:00:00Z',
    ]);
    expect(totalMs(m)).toBe(2.5 * H);
    expect(() => mergeIntervals([{ start: '2026-03-10T10:00Z', end: '2026-03-10T09:00Z' }])).toThrow(
      /intervals\[0\]\.end/,
    );
  });
});

describe('ledger validation', () => {
  it('names the downtime record at fault', () => {
    const sla = createSla();
    expect(() =>
      sla.availability(
        { month: '2026-03' },
        { downtime: [{ start: '2026-03-10T10:00Z', end: '2026-03-10T10:00Z' }] },
      ),
    ).toThrow('downtime[0].end: must be after downtime[0].start');
  });
});
