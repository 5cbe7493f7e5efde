import { describe, expect, it } from 'vitest';
import { createSla, defaultProfile, type SlaProfile } from '../src/index.ts';

const with_ = (over: Partial<SlaProfile>) => createSla({ ...defaultProfile, ...over });

describe('checkSchedule', () => {
  it('reports each overlap with the service window with exact dates', () => {
    const sla = with_({
      maintenanceWindow: [
        { weekdays: ['sat'], start: '09:00', end: '17:00' },
        { name: 'month-end', daysOfMonth: [-1], months: [3], start: '07:00', end: '10:00' },
      ],
    });
    const r = sla.checkSchedule({ from: '2026-01-01', years: 3 });
    expect(r.ok).toBe(false);
    // 31 March: Tue 2026 (overlap), Fri 2027 (overlap), Fri 2028 (overlap).
    expect(r.violations.map((v) => `${v.rule} ${v.localStart} ${v.localEnd}`)).toEqual([
      'overlap 2026-03-31T09:00+02:00 2026-03-31T10:00+02:00',
      'overlap 2027-03-31T09:00+02:00 2027-03-31T10:00+02:00',
      'overlap 2028-03-31T09:00+02:00 2028-03-31T10:00+02:00',
    ]);
    expect(r.violations[0]!.message).toBe(
      'maintenance window overlaps the service window 2026-03-31T09:00+02:00 – 2026-03-31T10:00+02:00',
    );
  });

  it('finds an overlap that only exists because one window is stored in UTC', () => {
    // Service 09:00–17:30 Amsterdam; maintenance Monday 06:00–08:00 UTC = 07:00–09:00 in winter, 08:00–10:00 in summer.
    const sla = with_({
      maintenanceWindow: [
        { kind: 'once', start: '2026-03-30T06:00Z', end: '2026-03-30T08:00Z' },
        { kind: 'once', start: '2026-03-23T06:00Z', end: '2026-03-23T08:00Z' },
      ],
    });
    const r = sla.checkSchedule({ from: '2026-03-01', years: 1 });
    expect(r.violations.map((v) => `${v.localStart}/${v.localEnd}`)).toEqual([
      '2026-03-30T09:00+02:00/2026-03-30T10:00+02:00',
    ]);
  });

  it('checks minimum and maximum window lengths', () => {
    const sla = with_({
      maintenanceWindow: [
        { weekdays: ['sat'], start: '09:00', end: '17:00' },
        { kind: 'once', start: '2026-02-08T02:00', end: '2026-02-08T03:00' },
      ],
      maintenanceRules: { minWindowMinutes: 120, maxWindowMinutes: 420 },
    });
    const r = sla.checkSchedule({ from: '2026-02-01', years: 1 });
    expect(r.violations.filter((v) => v.rule === 'min-window').map((v) => v.localStart)).toEqual([
      '2026-02-08T02:00+01:00',
    ]);
    expect(r.violations.filter((v) => v.rule === 'max-window')).toHaveLength(52);
    expect(r.violations.find((v) => v.rule === 'max-window')!.message).toBe(
      'window 2026-02-07T09:00+01:00 – 2026-02-07T17:00+01:00 lasts 8 h, more than 7 h',
    );
  });

  it('checks maintenance per week and per run of days', () => {
    const sla = with_({
      maintenanceWindow: [
        { weekdays: ['sat'], start: '09:00', end: '17:00', until: '2026-06-30' },
        { kind: 'once', start: '2026-06-07T00:00', end: '2026-06-07T06:00' },
      ],
      maintenanceRules: { maxMinutesPerWeek: 600, minMinutes: { minutes: 960, perDays: 14 } },
    });
    const r = sla.checkSchedule({ from: '2026-06-01', years: 1 });
    const week = r.violations.filter((v) => v.rule === 'max-per-week');
    expect(week.map((v) => v.localStart)).toEqual(['2026-06-01T00:00+02:00']);
    expect(week[0]!.message).toBe('week from 2026-06-01 has 14 h of maintenance, more than 10 h');
    const runs = r.violations.filter((v) => v.rule === 'min-per-days');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.localStart).toBe('2026-06-21T00:00+02:00'); // 21 June – 4 July holds one Saturday only
    expect(runs[0]!.message).toMatch(
      /^runs of 14 days starting 2026-06-21 … 2027-05-18 have as little as 0 min/,
    );
  });

  it('validates its options', () => {
    const sla = createSla();
    expect(() => sla.checkSchedule({ from: '2026-02-30' })).toThrow(/from: expected a local date/);
    expect(() => sla.checkSchedule({ from: '2026-01-01', years: 0 })).toThrow(/years/);
  });
});
