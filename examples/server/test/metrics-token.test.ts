import { afterEach, describe, expect, it } from 'vitest';
import { requestFrom, startServer, type TestServer } from './_server.ts';

const TOKEN = 'metrics-token-for-tests';
const lockout = { maxFailures: 3, windowMs: 15 * 60_000, baseLockMs: 30_000, maxLockMs: 120_000 };
let s: TestServer | undefined;

afterEach(async () => {
  await s?.close();
  s = undefined;
});

const scrape = (t: TestServer, from: string, token: string) =>
  requestFrom(t.url, from, { path: '/-/metrics', headers: { authorization: `Bearer ${token}` } });

describe('the metrics token', () => {
  it('counts wrong tokens like failed logins: guesses spread over addresses lock out and alert', async () => {
    s = await startServer({ metricsToken: TOKEN, lockout });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await scrape(s, `127.0.0.${10 + i}`, `guess-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401]);
    const locked = await scrape(s, '127.0.0.20', TOKEN);
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBe('30');
    expect(s.lines.some((l) => l.startsWith('ALERT lockout token:metrics'))).toBe(true);
    const log = s.accessLog();
    expect(log.filter((e) => e.event === 'login-failed' && e.reason === 'wrong metrics token')).toHaveLength(
      3,
    );
    expect(log.filter((e) => e.event === 'lockout' && e.reason === 'token:metrics')).toHaveLength(1);
    expect(s.app.metrics.get('kluis_failed_logins_total', {})).toBe(3);
    s.clock.now += 30_000;
    const ok = await scrape(s, '127.0.0.20', TOKEN);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('kluis_lockouts_total{kind="token"} 1');
  });

  it('locks out one address that guesses the token', async () => {
    s = await startServer({ metricsToken: TOKEN, lockout: { ...lockout, maxFailures: 2 } });
    await s.addAccount('alice');
    for (let i = 0; i < 2; i++) expect((await scrape(s, '127.0.0.30', `guess-${i}`)).status).toBe(401);
    // The address is locked for everything, passwords included.
    expect((await s.fetchAs('alice', '/alice/r/data/')).status).toBe(200);
    const viaAddress = await requestFrom(s.url, '127.0.0.30', {
      path: '/alice/r/data/',
      headers: { authorization: `Basic ${Buffer.from('alice:pw-alice-secret').toString('base64')}` },
    });
    expect(viaAddress.status).toBe(429);
  });
});
