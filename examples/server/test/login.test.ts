import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { basic, requestFrom, startServer, type TestServer } from './_server.ts';

const lockout = { maxFailures: 3, windowMs: 60_000, baseLockMs: 30_000, maxLockMs: 120_000 };
let s: TestServer | undefined;

afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** A webhook receiver on 127.0.0.1 that records the JSON bodies it gets. */
async function receiver() {
  const got: unknown[] = [];
  const authorizations: (string | undefined)[] = [];
  let arrived: () => void = () => {};
  const first = new Promise<void>((r) => {
    arrived = r;
  });
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      authorizations.push(req.headers.authorization);
      got.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.end('ok');
      arrived();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, got, authorizations, first, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const list = (t: TestServer, auth: string) =>
  fetch(new URL('/alice/repo/data/', t.url), { headers: { authorization: auth } });

describe('failed logins', () => {
  it('lock the account out after repeated failures, alert through the webhook, and expire with the clock', async () => {
    const hook = await receiver();
    s = await startServer({ lockout, alertWebhook: hook.url });
    const pw = await s.addAccount('alice');
    for (let i = 0; i < 3; i++) expect((await list(s, basic('alice', `guess-${i}`))).status).toBe(401);
    const locked = await list(s, basic('alice', pw));
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('30');
    await hook.first;
    await s.app.alerter.idle();
    expect(hook.got).toHaveLength(2); // the account and the address
    expect(hook.got[0]).toMatchObject({ alert: { kind: 'lockout', failures: 3, level: 1 } });
    expect(s.lines.some((l) => l.startsWith('ALERT lockout account:alice'))).toBe(true);
    s.clock.now += 30_000;
    expect((await list(s, basic('alice', pw))).status).toBe(200);
    const events = s.accessLog().map((e) => e.event);
    expect(events.filter((e) => e === 'login-failed')).toHaveLength(3);
    expect(events.filter((e) => e === 'lockout')).toHaveLength(2);
    await hook.close();
  });

  it('send the credentials of a webhook URL as Basic authentication', async () => {
    const hook = await receiver();
    s = await startServer({
      lockout,
      alertWebhook: hook.url.replace('http://', 'http://ops:hook%40secret@'),
    });
    await s.addAccount('alice');
    for (let i = 0; i < 3; i++) await list(s, basic('alice', `guess-${i}`));
    await hook.first;
    await s.app.alerter.idle();
    expect(hook.authorizations[0]).toBe(`Basic ${Buffer.from('ops:hook@secret').toString('base64')}`);
    expect(s.lines.join('\n')).not.toContain('secret');
    await hook.close();
  });

  it('back off exponentially on repeated lockouts', async () => {
    s = await startServer({ lockout });
    await s.addAccount('alice');
    const lengths: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3; i++) await list(s, basic('alice', 'wrong'));
      const res = await list(s, basic('alice', 'wrong'));
      lengths.push(res.headers.get('retry-after') ?? '');
      s.clock.now += Number(res.headers.get('retry-after')) * 1000;
    }
    expect(lengths).toEqual(['30', '60', '120']);
    expect(s.app.metrics.get('kluis_lockouts_total', { kind: 'account' })).toBe(3);
  });

  it('do not call a webhook that is not configured', async () => {
    let called = 0;
    const spy: typeof fetch = async () => {
      called++;
      return new Response('');
    };
    s = await startServer({ lockout }, { fetch: spy });
    for (let i = 0; i < 4; i++) await list(s, basic('nobody', 'x'));
    await s.app.alerter.idle();
    expect(called).toBe(0);
    expect(s.lines.filter((l) => l.startsWith('ALERT'))).toHaveLength(2);
  });

  it('give unknown, disabled and known accounts the same answer', async () => {
    s = await startServer({ lockout: { ...lockout, maxFailures: 100 } });
    await s.addAccount('alice');
    await s.addAccount('mallory');
    await s.app.accounts.setDisabled('mallory', true, 'test');
    const answers = await Promise.all(
      [basic('alice', 'wrong'), basic('ghost', 'wrong'), basic('mallory', 'pw-mallory-secret')].map(
        async (auth) => {
          const res = await list(s!, auth);
          const headers = [...res.headers].filter(([k]) => k !== 'date');
          return { status: res.status, headers, body: await res.text() };
        },
      ),
    );
    expect(answers[0]!.status).toBe(401);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    const reasons = s.accessLog().map((e) => e.reason);
    expect(reasons.sort()).toEqual(['account disabled', 'unknown account', 'wrong password']);
  });

  it('lock an address out that tries many names', async () => {
    s = await startServer({ lockout });
    const pw = await s.addAccount('alice');
    for (const name of ['a', 'b', 'c']) expect((await list(s, basic(name, 'x'))).status).toBe(401);
    expect((await list(s, basic('alice', pw))).status).toBe(429);
  });

  it('count failures apart from successes: guesses spread over addresses between a live client’s logins still lock out and alert', async () => {
    s = await startServer({ lockout: { ...lockout, windowMs: 15 * 60_000 } });
    const pw = await s.addAccount('alice');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      // The live client's remembered password has expired: it logs in again, with scrypt.
      s.clock.now += 5 * 60_000 + 1_000;
      expect((await list(s, basic('alice', pw))).status).toBe(200);
      const guess = await requestFrom(s.url, `127.0.0.${10 + i}`, {
        path: '/alice/repo/data/',
        headers: { authorization: basic('alice', `guess-${i}`) },
      });
      statuses.push(guess.status);
    }
    expect(statuses).toEqual([401, 401, 401]);
    // The third guess locked the account: a new guess from a fresh address waits.
    const next = await requestFrom(s.url, '127.0.0.20', {
      path: '/alice/repo/data/',
      headers: { authorization: basic('alice', 'guess-3') },
    });
    expect(next.status).toBe(429);
    // The live client, verified before the lockout, keeps working.
    expect((await list(s, basic('alice', pw))).status).toBe(200);
    expect(s.lines.some((l) => l.startsWith('ALERT lockout account:alice'))).toBe(true);
    expect(s.accessLog().filter((e) => e.event === 'lockout')).toHaveLength(1);
  });
});
