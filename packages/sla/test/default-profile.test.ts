import { describe, expect, it } from 'vitest';
import { createSla, defaultProfile, holidaysOf, priorityOf, validateProfile } from '../src/index.ts';

const sla = createSla();

describe('the default profile (the service definition)', () => {
  it('is Europe/Amsterdam with the agreed windows and rules', () => {
    expect(defaultProfile.zone).toBe('Europe/Amsterdam');
    expect(defaultProfile.noticeHours).toBe(12);
    expect(defaultProfile.capacityExpansionWorkingDays).toBe(3);
    expect(Object.isFrozen(defaultProfile.targets.P1)).toBe(true);
    expect(validateProfile(defaultProfile)).toEqual({ ok: true, issues: [] });
  });

  it('has the service window Monday to Friday 09:00–17:30, not on public holidays', () => {
    expect(sla.service.contains('2026-03-30T09:00:00+02:00')).toBe(true);
    expect(sla.service.contains('2026-03-30T17:29:59+02:00')).toBe(true);
    expect(sla.service.contains('2026-03-30T17:30:00+02:00')).toBe(false);
    expect(sla.service.contains('2026-03-28T10:00:00+01:00')).toBe(false); // Saturday
    expect(sla.service.contains('2026-04-27T10:00:00+02:00')).toBe(false); // King's Day
    expect(sla.service.contains('2027-12-27T10:00:00+01:00')).toBe(true); // Monday after Christmas 2027
  });

  it('has maintenance on Saturdays 09:00–17:00 every week of 2026 and 2027', () => {
    const all = sla.maintenance.between('2026-01-01T00:00:00+01:00', '2028-01-01T00:00:00+01:00');
    expect(all).toHaveLength(104); // 52 Saturdays in 2026, 52 in 2027
    for (const o of all) {
      expect(o.localStart).toMatch(/T09:00\+0[12]:00$/);
      expect(o.localEnd).toMatch(/T17:00\+0[12]:00$/);
      expect(o.end.epochMilliseconds - o.start.epochMilliseconds).toBe(8 * 3_600_000);
    }
    expect(all[0]!.localStart).toBe('2026-01-03T09:00+01:00');
    expect(all.at(-1)!.localStart).toBe('2027-12-25T09:00+01:00'); // a holiday, but maintenance may still run
  });

  it('never lets maintenance touch the service window, 2026–2030', () => {
    const r = sla.checkSchedule({ from: '2026-01-01', years: 5 });
    expect(r).toMatchObject({ ok: true, from: '2026-01-01', to: '2031-01-01', violations: [] });
    expect(r.maintenanceOccurrences).toBe(261);
  });

  it('measures notice as elapsed time: Sat 2026-03-28 21:00 → Sun 09:00 is only 11 h', () => {
    const c = sla.classifyDowntime({
      announcedAt: '2026-03-28T21:00:00+01:00',
      start: '2026-03-29T09:00:00+02:00',
      end: '2026-03-29T10:00:00+02:00',
    });
    expect(c.noticeMs).toBe(11 * 3_600_000);
    expect(c).toMatchObject({ kind: 'unplanned', planned: false, insideMaintenanceWindow: false });
    expect(c.reasons[0]).toBe(
      'only 11 h notice (announced 2026-03-28T21:00+01:00, starts 2026-03-29T09:00+02:00); 12 h are required',
    );
  });

  it('counts the autumn night as 13 h: Sat 2026-10-24 21:00 → Sun 09:00', () => {
    const c = sla.classifyDowntime({
      announcedAt: '2026-10-24T21:00:00+02:00',
      start: '2026-10-25T09:00:00+01:00',
      end: '2026-10-25T10:00:00+01:00',
    });
    expect(c.noticeMs).toBe(13 * 3_600_000);
    expect(c.kind).toBe('planned');
  });

  it('gets every DST weekend of 2026–2027 right (Saturday 21:00 → Sunday 09:00)', () => {
    const cases = [
      ['2026-03-28T21:00:00+01:00', '2026-03-29T09:00:00+02:00', 11, 'unplanned'],
      ['2026-10-24T21:00:00+02:00', '2026-10-25T09:00:00+01:00', 13, 'planned'],
      ['2027-03-27T21:00:00+01:00', '2027-03-28T09:00:00+02:00', 11, 'unplanned'],
      ['2027-10-30T21:00:00+02:00', '2027-10-31T09:00:00+01:00', 13, 'planned'],
    ] as const;
    for (const [announcedAt, start, hours, kind] of cases) {
      const c = sla.classifyDowntime({ announcedAt, start, end: Date.parse(start) + 3_600_000 });
      expect([c.noticeMs, c.kind]).toEqual([hours * 3_600_000, kind]);
    }
    // The Saturday windows either side of each change keep 09:00 local, so their UTC start moves.
    const utc = (from: string) => sla.maintenance.next(from, 1)[0]!.start.toString();
    expect(utc('2026-03-27T00:00Z')).toBe('2026-03-28T08:00:00Z');
    expect(utc('2026-03-29T00:00Z')).toBe('2026-04-04T07:00:00Z');
    expect(utc('2026-10-23T00:00Z')).toBe('2026-10-24T07:00:00Z');
    expect(utc('2026-10-25T00:00Z')).toBe('2026-10-31T08:00:00Z');
    expect(utc('2027-03-21T00:00Z')).toBe('2027-03-27T08:00:00Z');
    expect(utc('2027-10-31T00:00Z')).toBe('2027-11-06T08:00:00Z');
  });

  it('accepts exactly 12 h, refuses 11 h 59 min (2027)', () => {
    const at = (announcedAt: string) =>
      sla.classifyDowntime({
        announcedAt,
        start: '2027-06-02T22:00:00+02:00',
        end: '2027-06-02T23:00:00+02:00',
      }).kind;
    expect(at('2027-06-02T10:00:00+02:00')).toBe('planned');
    expect(at('2027-06-02T10:01:00+02:00')).toBe('unplanned');
  });

  it('classifies work inside the maintenance window as maintenance, and says when it spills over', () => {
    const inside = sla.classifyDowntime({
      start: '2027-03-27T10:00:00+01:00',
      end: '2027-03-27T12:00:00+01:00',
    });
    expect(inside).toMatchObject({ kind: 'maintenance', planned: false, insideMaintenanceWindow: true });
    const spill = sla.classifyDowntime({
      announcedAt: '2027-03-20T10:00:00+01:00',
      start: '2027-03-27T15:00:00+01:00',
      end: '2027-03-27T19:00:00+01:00',
    });
    expect(spill.kind).toBe('planned');
    expect(spill.reasons).toContain('2 h of it lies outside the maintenance window');
    const weekday = sla.classifyDowntime({
      start: '2027-03-30T16:00:00+02:00',
      end: '2027-03-30T18:00:00+02:00',
    });
    expect(weekday.kind).toBe('unplanned');
    expect(weekday.overlapsServiceWindow).toBe(true);
  });

  it('expands capacity within 3 working days, skipping weekends and Dutch holidays', () => {
    expect(sla.capacityExpansionDue('2026-04-24T15:00:00+02:00').date).toBe('2026-04-30'); // King's Day Mon 27
    expect(sla.capacityExpansionDue('2026-03-27T16:00:00+01:00')).toMatchObject({ date: '2026-04-01' });
    expect(sla.capacityExpansionDue('2026-03-27T16:00:00+01:00').deadline.toString()).toBe(
      '2026-04-01T22:00:00Z',
    );
    expect(sla.capacityExpansionDue('2026-12-23T10:00:00+01:00').date).toBe('2026-12-29'); // 24, 28, 29
    expect(sla.capacityExpansionDue('2027-05-05T10:00:00+02:00').date).toBe('2027-05-11'); // Ascension Thu 6 May: Fri 7, Mon 10, Tue 11
    expect(sla.workingDays.between('2026-04-24T15:00:00+02:00', '2026-04-30T12:00:00+02:00')).toBe(3);
    expect(sla.workingDays.add('2026-04-25T10:00:00+02:00', 0).date).toBe('2026-04-28');
  });

  it('knows the Dutch public holidays of 2027', () => {
    expect(holidaysOf({ country: 'NL' }, 2027)).toEqual([
      '2027-01-01',
      '2027-03-28',
      '2027-03-29',
      '2027-04-27',
      '2027-05-06',
      '2027-05-16',
      '2027-05-17',
      '2027-12-25',
      '2027-12-26',
    ]);
  });

  it('maps impact × urgency to P1..P4', () => {
    expect(priorityOf(defaultProfile, 'high', 'high')).toBe('P1');
    expect(sla.priorityOf('high', 'medium')).toBe('P2');
    expect(sla.priorityOf('medium', 'medium')).toBe('P3');
    expect(sla.priorityOf('low', 'low')).toBe('P4');
    // @ts-expect-error not a level
    expect(() => sla.priorityOf('huge', 'low')).toThrow(/impact/);
  });

  it('refuses service during the maintenance window with Retry-After', () => {
    expect(sla.isUnavailable('2026-03-28T16:00:00+01:00')).toEqual({
      unavailable: true,
      reason: 'maintenance window until 2026-03-28T17:00+01:00',
      retryAfterSeconds: 3600,
      until: expect.anything(),
    });
    expect(sla.isUnavailable('2026-03-28T17:00:00+01:00')).toEqual({ unavailable: false });
    expect(sla.isUnavailable('2026-03-30T10:00:00+02:00')).toEqual({ unavailable: false });
  });
});

describe('profile validation', () => {
  it('names the field at fault', () => {
    expect(() => createSla({ ...defaultProfile, noticeHours: -1 })).toThrow(/noticeHours/);
    expect(validateProfile({ ...defaultProfile, noticeHours: -1 }).issues[0]?.path).toBe('noticeHours');
    const r = validateProfile({
      ...defaultProfile,
      targets: { ...defaultProfile.targets, P2: { responseMinutes: 0 } },
    });
    expect(r.issues.map((i) => i.path)).toContain('targets.P2.responseMinutes');
    expect(validateProfile({ ...defaultProfile, zone: 'Nowhere' }).issues[0]?.path).toBe('zone');
    const gap = validateProfile({
      ...defaultProfile,
      maintenanceWindow: [{ kind: 'once', start: '2026-03-29T02:30', end: '2026-03-29T04:00' }],
    });
    expect(gap).toEqual({
      ok: false,
      issues: [{ path: 'maintenanceWindow.windows[0].start', message: expect.stringMatching(/DST gap/) }],
    });
    expect(() => createSla({ ...defaultProfile, holidays: { country: 'XX' } })).toThrow(/no holiday data/);
  });
});
