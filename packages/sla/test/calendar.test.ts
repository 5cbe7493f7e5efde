import { describe, expect, it } from 'vitest';
import { createCalendar, validateCalendar } from '../src/index.ts';

const AMS = 'Europe/Amsterdam';
const local = (o: { localStart: string; localEnd: string }) => `${o.localStart}/${o.localEnd}`;

describe('recurring windows', () => {
  const sat = createCalendar({ zone: AMS, windows: [{ weekdays: ['sat'], start: '09:00', end: '17:00' }] });

  it('answers membership with start inclusive and end exclusive', () => {
    expect(sat.contains('2026-03-28T09:00:00+01:00')).toBe(true);
    expect(sat.contains('2026-03-28T08:59:59+01:00')).toBe(false);
    expect(sat.contains('2026-03-28T16:59:59+01:00')).toBe(true);
    expect(sat.contains('2026-03-28T17:00:00+01:00')).toBe(false);
    expect(sat.contains('2026-03-29T10:00:00+02:00')).toBe(false);
  });

  it('keeps local wall time across DST (a UTC-stored window would shift an hour)', () => {
    const before = sat.occurrenceAt('2026-03-28T10:00:00+01:00')!;
    const after = sat.next('2026-03-28T18:00:00+01:00', 1)[0]!;
    expect(before.start.toString()).toBe('2026-03-28T08:00:00Z');
    expect(after.start.toString()).toBe('2026-04-04T07:00:00Z');
    expect(local(after)).toBe('2026-04-04T09:00+02:00/2026-04-04T17:00+02:00');
  });

  it('lists the next occurrences, one in progress first', () => {
    const n = sat.next('2026-03-28T12:00:00+01:00', 3).map((o) => o.localStart);
    expect(n).toEqual(['2026-03-28T09:00+01:00', '2026-04-04T09:00+02:00', '2026-04-11T09:00+02:00']);
  });

  it('lists the windows overlapping an interval', () => {
    expect(sat.between('2026-03-01T00:00Z', '2026-04-01T00:00Z')).toHaveLength(4);
    expect(sat.between('2026-03-28T16:59Z', '2026-03-28T17:00Z')).toHaveLength(0); // ended 16:00Z
    expect(sat.between('2026-03-28T15:59Z', '2026-03-28T16:30Z')).toHaveLength(1);
  });

  it('crosses midnight', () => {
    const night = createCalendar({
      zone: AMS,
      windows: [{ weekdays: ['fri'], start: '22:00', end: '02:00' }],
    });
    expect(night.contains('2026-03-07T01:30:00+01:00')).toBe(true); // Saturday 01:30 belongs to Friday's window
    expect(night.contains('2026-03-07T02:00:00+01:00')).toBe(false);
    expect(local(night.next('2026-03-01T00:00Z')[0]!)).toBe('2026-03-06T22:00+01:00/2026-03-07T02:00+01:00');
  });

  it('supports days of month counted from the end, months and 24:00', () => {
    const last = createCalendar({
      zone: AMS,
      windows: [{ daysOfMonth: [-1], months: [2, 12], start: '00:00', end: '24:00' }],
    });
    const n = last.next('2026-01-01T00:00Z', 3).map(local);
    expect(n).toEqual([
      '2026-02-28T00:00+01:00/2026-03-01T00:00+01:00',
      '2026-12-31T00:00+01:00/2027-01-01T00:00+01:00',
      '2027-02-28T00:00+01:00/2027-03-01T00:00+01:00',
    ]);
    const leap = createCalendar({
      zone: 'UTC',
      windows: [{ daysOfMonth: [29], months: [2], start: '10:00', end: '11:00' }],
    });
    expect(leap.next('2026-01-01T00:00Z', 1)[0]!.localStart).toBe('2028-02-29T10:00+00:00');
  });

  it('ends when a filter can never match, within the horizon', () => {
    const never = createCalendar({
      zone: 'UTC',
      windows: [{ daysOfMonth: [31], months: [4], start: '10:00', end: '11:00' }],
    });
    expect(never.next('2026-01-01T00:00Z', 1, { horizonYears: 2 })).toEqual([]);
  });

  it('honours from/until', () => {
    const c = createCalendar({
      zone: AMS,
      windows: [{ weekdays: ['sat'], start: '09:00', end: '10:00', from: '2026-06-01', until: '2026-06-13' }],
    });
    expect(c.between('2026-01-01T00:00Z', '2027-01-01T00:00Z').map((o) => o.localStart)).toEqual([
      '2026-06-06T09:00+02:00',
      '2026-06-13T09:00+02:00',
    ]);
  });
});

describe('DST (RFC 5545)', () => {
  it('has no occurrence whose local start time is skipped', () => {
    const c = createCalendar({ zone: AMS, windows: [{ start: '02:30', end: '03:30' }] });
    const days = c.between('2026-03-28T00:00Z', '2026-03-31T00:00Z').map((o) => o.localStart);
    expect(days).toEqual(['2026-03-28T02:30+01:00', '2026-03-30T02:30+02:00']);
    expect(c.contains('2026-03-29T03:15:00+02:00')).toBe(false);
  });

  it('takes the first of a repeated local time', () => {
    const c = createCalendar({ zone: AMS, windows: [{ start: '02:30', end: '04:00' }] });
    const o = c.next('2026-10-25T00:00:00+02:00', 1)[0]!;
    expect(o.start.toString()).toBe('2026-10-25T00:30:00Z'); // 02:30 CEST, not 02:30 CET
    expect(o.end.toString()).toBe('2026-10-25T03:00:00Z'); // 04:00 CET
    expect((o.end.epochMilliseconds - o.start.epochMilliseconds) / 3_600_000).toBe(2.5);
  });

  it('ends a window whose end is skipped when the clocks jump', () => {
    const c = createCalendar({ zone: AMS, windows: [{ start: '01:00', end: '02:30' }] });
    const o = c.next('2026-03-29T00:00:00+01:00', 1)[0]!;
    expect(o.end.toString()).toBe('2026-03-29T01:00:00Z'); // 03:00 CEST
    expect(o.localEnd).toBe('2026-03-29T03:00+02:00');
  });

  it('ends a whole-day window when the next day starts late (Santiago skips midnight)', () => {
    const c = createCalendar({ zone: 'America/Santiago', windows: [{ start: '00:00', end: '24:00' }] });
    const days = c.between('2026-09-05T04:00Z', '2026-09-07T12:00Z').map(local);
    expect(days).toEqual([
      '2026-09-05T00:00-04:00/2026-09-06T01:00-03:00', // 6 September starts at 01:00
      '2026-09-07T00:00-03:00/2026-09-08T00:00-03:00', // no occurrence at the skipped 6 September 00:00
    ]);
  });

  it('works in New York and Sydney', () => {
    const ny = createCalendar({ zone: 'America/New_York', windows: [{ start: '02:15', end: '02:45' }] });
    expect(
      ny.between('2026-03-07T00:00Z', '2026-03-10T00:00Z').map((o) => o.localStart.slice(0, 10)),
    ).toEqual(['2026-03-07', '2026-03-09']);
    const syd = createCalendar({
      zone: 'Australia/Sydney',
      windows: [{ weekdays: ['sun'], start: '02:00', end: '03:00' }],
    });
    // 2026-10-04: clocks go from 02:00 to 03:00 in Sydney
    expect(syd.between('2026-10-01T00:00Z', '2026-10-13T00:00Z').map((o) => o.localStart)).toEqual([
      '2026-10-11T02:00+11:00',
    ]);
  });
});

describe('one-off windows, exclusions and holidays', () => {
  it('mixes one-off windows into the recurrence', () => {
    const c = createCalendar({
      zone: AMS,
      windows: [
        { weekdays: ['sat'], start: '09:00', end: '17:00' },
        { kind: 'once', name: 'upgrade', start: '2026-06-10T20:00', end: '2026-06-10T23:00' },
      ],
    });
    expect(c.next('2026-06-07T00:00Z', 2).map((o) => `${o.name} ${o.localStart}`)).toEqual([
      'upgrade 2026-06-10T20:00+02:00',
      'window 2026-06-13T09:00+02:00',
    ]);
  });

  it('drops excluded dates and cuts excluded intervals', () => {
    const c = createCalendar({
      zone: AMS,
      windows: [{ weekdays: ['sat'], start: '09:00', end: '17:00' }],
      exclusions: [{ date: '2026-06-06' }, { start: '2026-06-13T12:00', end: '2026-06-13T13:00' }],
    });
    expect(c.between('2026-06-01T00:00Z', '2026-06-14T00:00Z').map(local)).toEqual([
      '2026-06-13T09:00+02:00/2026-06-13T12:00+02:00',
      '2026-06-13T13:00+02:00/2026-06-13T17:00+02:00',
    ]);
    expect(c.contains('2026-06-13T12:30:00+02:00')).toBe(false);
  });

  it('skips Dutch public holidays when asked', () => {
    const c = createCalendar({
      zone: AMS,
      holidays: { country: 'NL' },
      windows: [{ weekdays: ['mon'], start: '09:00', end: '17:30', skipHolidays: true }],
    });
    expect(c.contains('2026-04-06T10:00:00+02:00')).toBe(false); // Easter Monday
    expect(c.contains('2026-04-13T10:00:00+02:00')).toBe(true);
  });
});

describe('validation', () => {
  it('throws RangeError or TypeError naming the field', () => {
    expect(() => createCalendar({ zone: 'Mars/Olympus', windows: [] })).toThrow(RangeError);
    expect(() => createCalendar({ zone: 'Mars/Olympus', windows: [] })).toThrow(/zone: unknown time zone/);
    expect(() => createCalendar({ zone: AMS, windows: [{ start: '9:00', end: '17:00' }] })).toThrow(
      /windows\[0\]\.start/,
    );
    expect(() => createCalendar({ zone: AMS, windows: [{ start: '09:00', end: '09:00' }] })).toThrow(
      /windows\[0\]\.end/,
    );
    expect(() =>
      createCalendar({ zone: AMS, windows: [{ daysOfMonth: [0], start: '09:00', end: '10:00' }] }),
    ).toThrow(/daysOfMonth\[0\]/);
    // @ts-expect-error a number is not a window list
    expect(() => createCalendar({ zone: AMS, windows: 3 })).toThrow(TypeError);
    expect(() =>
      createCalendar({
        zone: AMS,
        windows: [{ kind: 'once', start: '2026-03-29T02:30', end: '2026-03-29T04:00' }],
      }),
    ).toThrow(/windows\[0\]\.start: local time 2026-03-29T02:30 does not exist/);
    expect(() =>
      createCalendar({ zone: AMS, windows: [{ start: '09:00', end: '10:00', skipHolidays: true }] }),
    ).toThrow(/skipHolidays: needs calendar\.holidays/);
  });

  it('collects issues without throwing', () => {
    expect(
      validateCalendar({ zone: AMS, windows: [{ weekdays: ['sat'], start: '09:00', end: '17:00' }] }),
    ).toEqual({
      ok: true,
      issues: [],
    });
    const r = validateCalendar({ zone: AMS, windows: [{ start: '25:00', end: '26:00', weekdays: ['xyz'] }] });
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => i.path).sort()).toEqual([
      'windows[0].end',
      'windows[0].start',
      'windows[0].weekdays[0]',
    ]);
    const gap = validateCalendar({
      zone: AMS,
      windows: [{ kind: 'once', start: '2026-03-29T02:30', end: '2026-03-29T05:00' }],
    });
    expect(gap.issues[0]?.path).toBe('windows[0].start');
  });
});
