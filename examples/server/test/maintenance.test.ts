import { afterEach, describe, expect, it } from 'vitest';
import { maintenanceSchedule } from '../src/maintenance.ts';
import { blob, startServer, type TestServer } from './_server.ts';

/** Saturday 28 March 2026, 10:00 in Amsterdam (CET): inside the default window, 7 h before its end. */
const SATURDAY_10 = Date.parse('2026-03-28T10:00:00+01:00');
let s: TestServer | undefined;

afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('maintenance windows', () => {
  it('follow the SLA default profile (Saturdays 09:00–17:00 Europe/Amsterdam) across DST', () => {
    const at = maintenanceSchedule({ mode: 'unavailable' });
    expect(at(SATURDAY_10)).toMatchObject({ unavailable: true, retryAfterSeconds: 7 * 3600 });
    expect(at(Date.parse('2026-03-28T08:59:59+01:00')).unavailable).toBe(false);
    expect(at(Date.parse('2026-03-28T17:00:00+01:00')).unavailable).toBe(false);
    // The next Saturday is in summer time (CEST): 09:00 local is 07:00 UTC.
    expect(at(Date.parse('2026-04-04T07:00:00Z')).unavailable).toBe(true);
    expect(at(Date.parse('2026-04-04T06:59:59Z')).unavailable).toBe(false);
    expect(maintenanceSchedule({ mode: 'off' })(SATURDAY_10).unavailable).toBe(false);
  });

  it('answer 503 with Retry-After during a window, and serve again after it', async () => {
    s = await startServer();
    await s.addAccount('alice');
    s.clock.now = SATURDAY_10;
    const res = await s.fetchAs('alice', '/alice/r/data/');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe(String(7 * 3600));
    const health = await (await fetch(new URL('/-/health', s.url))).json();
    expect(health).toMatchObject({ status: 'maintenance', maintenance: { end: '2026-03-28T16:00:00.000Z' } });
    s.clock.now = Date.parse('2026-03-28T17:00:00+01:00');
    expect((await s.fetchAs('alice', '/alice/r/data/')).status).toBe(200);
    expect(await (await fetch(new URL('/-/health', s.url))).json()).toMatchObject({ status: 'ok' });
  });

  it('in read-only mode serve reads and refuse changes', async () => {
    s = await startServer({ maintenance: { mode: 'read-only' } });
    await s.addAccount('alice');
    const b = blob('before the window');
    expect(
      (await s.fetchAs('alice', `/alice/r/data/${b.id}`, { method: 'POST', body: b.bytes })).status,
    ).toBe(200);
    s.clock.now = SATURDAY_10;
    expect((await s.fetchAs('alice', `/alice/r/data/${b.id}`)).status).toBe(200);
    const c = blob('during the window');
    const res = await s.fetchAs('alice', `/alice/r/data/${c.id}`, { method: 'POST', body: c.bytes });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe(String(7 * 3600));
  });

  it('use configured windows and zone', async () => {
    const at = maintenanceSchedule({
      mode: 'unavailable',
      zone: 'UTC',
      windows: [{ weekdays: ['wed'], start: '11:00', end: '13:00' }],
    });
    expect(at(Date.parse('2026-03-25T12:30:00Z')).retryAfterSeconds).toBe(1800);
    expect(() => maintenanceSchedule({ mode: 'unavailable', zone: 'Mars/Base', windows: [] })).toThrow(
      /maintenance/,
    );
  });
});

describe('announced downtime', () => {
  it('is unavailable outside the windows too, with the note as the reason', () => {
    const at = maintenanceSchedule({
      mode: 'unavailable',
      downtime: [{ start: '2026-03-25T13:00:00+01:00', end: '2026-03-25T14:00:00+01:00', note: 'disk swap' }],
    });
    expect(at(Date.parse('2026-03-25T12:59:59+01:00')).unavailable).toBe(false);
    expect(at(Date.parse('2026-03-25T13:30:00+01:00'))).toMatchObject({
      unavailable: true,
      retryAfterSeconds: 1800,
      window: { name: expect.stringContaining('disk swap'), end: '2026-03-25T13:00:00.000Z' },
    });
  });
});
