import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './_server.ts';

/** Saturday 28 March 2026, 10:00 in Amsterdam: inside the default maintenance window. */
const SATURDAY_10 = Date.parse('2026-03-28T10:00:00+01:00');
let s: TestServer | undefined;

afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('access log classes', () => {
  it('log answers given before authentication (501, maintenance 503) as refused, never as access', async () => {
    s = await startServer();
    await s.addAccount('alice');
    expect((await s.fetchAs('alice', '/alice/r/', { method: 'DELETE' })).status).toBe(501);
    s.clock.now = SATURDAY_10;
    expect((await s.fetchAs('alice', '/alice/r/data/')).status).toBe(503);
    const log = s.accessLog();
    expect(log.map((e) => [e.event, e.status, e.user])).toEqual([
      ['refused', 501, undefined],
      ['refused', 503, undefined],
    ]);
    expect(log.every((e) => typeof e.reason === 'string')).toBe(true);
  });

  it('log access only for authenticated requests', async () => {
    s = await startServer();
    await s.addAccount('alice');
    await s.fetchAs('alice', '/alice/r/data/');
    await s.fetchAs(undefined, '/alice/r/data/');
    await s.fetchAs('alice', '/alice/r/data/nothex', { method: 'POST', body: 'x' });
    const log = s.accessLog();
    expect(log.map((e) => [e.event, e.status])).toEqual([
      ['access', 200],
      ['rejected', 401],
      ['rejected', 400],
    ]);
    expect(log.filter((e) => e.event === 'access').every((e) => e.user === 'alice')).toBe(true);
  });
});
