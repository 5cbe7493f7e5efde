import { describe, expect, it } from 'vitest';
import { createSla, defaultProfile } from '../src/index.ts';

describe('isUnavailable', () => {
  it('tells a server to retry when the maintenance window ends', () => {
    const sla = createSla();
    const s = sla.isUnavailable('2026-03-28T09:00:00+01:00');
    expect(s).toMatchObject({ unavailable: true, retryAfterSeconds: 8 * 3600 });
    expect(s.until?.toString()).toBe('2026-03-28T16:00:00Z');
    expect(sla.isUnavailable('2026-03-28T16:59:59.500+01:00').retryAfterSeconds).toBe(1);
  });

  it('extends through back-to-back downtime', () => {
    const sla = createSla();
    const check = sla.unavailabilityCheck({
      downtime: [
        { note: 'storage migration', start: '2026-03-28T17:00:00+01:00', end: '2026-03-28T19:00:00+01:00' },
      ],
    });
    expect(check('2026-03-28T16:00:00+01:00')).toMatchObject({
      unavailable: true,
      retryAfterSeconds: 3 * 3600,
      reason: 'maintenance window until 2026-03-28T19:00+01:00',
    });
    expect(check('2026-03-28T18:00:00+01:00').reason).toBe('storage migration until 2026-03-28T19:00+01:00');
  });

  it('can refuse only during announced downtime', () => {
    const sla = createSla(defaultProfile);
    const check = sla.unavailabilityCheck({
      wholeMaintenanceWindow: false,
      downtime: [{ id: 'CHG-1', start: '2026-03-28T10:00:00+01:00', end: '2026-03-28T11:00:00+01:00' }],
    });
    expect(check('2026-03-28T09:30:00+01:00')).toEqual({ unavailable: false });
    expect(check('2026-03-28T10:30:00+01:00')).toMatchObject({ unavailable: true, retryAfterSeconds: 1800 });
    expect(check(Date.parse('2026-03-28T12:00:00+01:00'))).toEqual({ unavailable: false });
    expect(() =>
      sla.unavailabilityCheck({ downtime: [{ start: '2026-03-28T10:00Z', end: '2026-03-28T09:00Z' }] }),
    ).toThrow(/downtime\[0\]\.end/);
  });
});
