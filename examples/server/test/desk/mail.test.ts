import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer, WEDNESDAY } from '../_server.ts';
import { startSmtp } from './_smtp.ts';

const H = 3_600_000;
let s: TestServer;
let smtp: Awaited<ReturnType<typeof startSmtp>>;

beforeAll(async () => {
  smtp = await startSmtp();
  s = await startServer({
    desk: {
      providerEmail: 'ops@provider.test',
      mail: { smtp: smtp.url, from: 'kluis desk <desk@provider.test>' },
    },
    lockout: { maxFailures: 2, windowMs: 60_000, baseLockMs: 60_000, maxLockMs: 600_000 },
  });
  await s.addAccount('alice', { quota: 2 ** 30 });
  await s.addAccount('bob');
  await s.addAccount('ops', { role: 'none' });
  await s.app.grants.grant({ account: 'ops', role: 'admin', scope: '*', by: 'test' });
  await s.app.desk.desk.setContact('alice', 'coordinator@alice.test', 'test');
  await s.app.desk.desk.setContact('bob', 'it@bob.test', 'test');
});
afterAll(async () => {
  await s.close();
  await smtp.close();
});

const post = (user: string, path: string, body: unknown) =>
  s.fetchAs(user, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Sends what is queued and returns what the SMTP server received since the last call. */
let seen = 0;
async function delivered() {
  await s.app.desk.flushMail();
  const fresh = smtp.messages.slice(seen);
  seen = smtp.messages.length;
  return fresh.map((m) => ({
    to: m.to.join(','),
    subject: m.subject,
    text: m.text,
    from: m.from,
    topic: m.headers.get('x-kluis-topic'),
  }));
}

describe('desk e-mail through a real SMTP server', () => {
  it('tells the coordinator and the provider about capacity requests and their fulfilment', async () => {
    s.clock.now = Date.parse('2026-04-24T15:00:00+02:00');
    const r = await (await post('alice', '/-/desk/capacity', { size: '5GiB', note: 'order 7' })).json();
    const sent = await delivered();
    expect(sent.map((m) => [m.to, m.subject, m.from, m.topic])).toEqual([
      [
        'coordinator@alice.test',
        `[kluis] capacity request #${r.id} for alice: 5 GiB`,
        'desk@provider.test',
        'capacity-requested',
      ],
      [
        'ops@provider.test',
        `[kluis] capacity request #${r.id} for alice: 5 GiB`,
        'desk@provider.test',
        'capacity-requested',
      ],
    ]);
    expect(sent[0]!.text).toContain(
      'From 1 GiB to 5 GiB.\nDue: 2026-04-30 (3 working days, article 21.3).\nNote: order 7',
    );
    s.clock.now = Date.parse('2026-04-29T09:00:00+02:00');
    await post('ops', `/-/desk/capacity/${r.id}/fulfil`, {});
    const done = await delivered();
    expect(done.map((m) => m.to)).toEqual(['coordinator@alice.test', 'ops@provider.test']);
    expect(done[0]!.text).toContain('The quota is now 5 GiB.\nDue 2026-04-30: on time.');
  });

  it('sends maintenance announcements to every customer', async () => {
    s.clock.now = WEDNESDAY;
    await post('ops', '/-/desk/announcements', {
      start: new Date(WEDNESDAY + 24 * H).toISOString(),
      end: new Date(WEDNESDAY + 26 * H).toISOString(),
      reason: 'storage firmware',
    });
    const sent = await delivered();
    expect(sent.map((m) => m.to).sort()).toEqual(['coordinator@alice.test', 'it@bob.test']);
    expect(sent[0]!.subject).toBe(
      '[kluis] planned maintenance 2026-03-26 12:00 (+01:00) – 2026-03-26 14:00 (+01:00)',
    );
    expect(sent[0]!.text).toContain('Reason: storage firmware');
  });

  it('tells the coordinator when an incident is opened, updated and resolved', async () => {
    s.clock.now = Date.parse('2026-03-10T10:00:00+01:00');
    const inc = await (
      await post('bob', '/-/desk/incidents', { title: 'slow uploads', impact: 'medium', urgency: 'medium' })
    ).json();
    const opened = await delivered();
    expect(opened.map((m) => [m.to, m.subject])).toEqual([
      ['it@bob.test', `[kluis] incident #${inc.id} opened (P3): slow uploads`],
      ['ops@provider.test', `[kluis] incident #${inc.id} opened (P3): slow uploads`],
    ]);
    s.clock.now = Date.parse('2026-03-10T10:30:00+01:00');
    await post('ops', `/-/desk/incidents/${inc.id}/events`, { type: 'update', note: 'a switch port flaps' });
    const updated = await delivered();
    expect(updated.map((m) => [m.to, m.subject])).toEqual([
      ['it@bob.test', `[kluis] incident #${inc.id} updated (P3): slow uploads`],
    ]);
    expect(updated[0]!.text).toContain('update at 2026-03-10 10:30 (+01:00) by ops: a switch port flaps');
    s.clock.now = Date.parse('2026-03-10T11:00:00+01:00');
    await post('ops', `/-/desk/incidents/${inc.id}/events`, { type: 'signed-off', note: 'port disabled' });
    const resolved = await delivered();
    expect(resolved.map((m) => [m.to, m.subject])).toEqual([
      ['it@bob.test', `[kluis] incident #${inc.id} resolved (P3): slow uploads`],
    ]);
    expect(resolved[0]!.text).toContain('Please confirm that the service is available again');
  });

  it('alerts the provider of a lockout', async () => {
    for (let i = 0; i < 2; i++) await s.fetchAs('alice', '/alice/r/config', { password: 'wrong password' });
    const sent = await delivered();
    const lockouts = sent.filter((m) => m.topic === 'lockout');
    expect(lockouts.map((m) => [m.to, m.subject]).sort()).toEqual([
      ['ops@provider.test', '[kluis] lockout: account:alice'],
      ['ops@provider.test', '[kluis] lockout: address:127.0.0.1'],
    ]);
    expect(lockouts.find((m) => m.subject.endsWith('alice'))!.text).toMatch(
      /^2 failed logins for account:alice from 127\.0\.0\.1; locked out until /,
    );
  });

  it('keeps what the SMTP server did not take in the outbox, and sends it later', async () => {
    await smtp.close();
    s.clock.now = Date.parse('2026-03-10T12:00:00+01:00');
    await post('alice', '/-/desk/incidents', { title: 'cannot log in', impact: 'low', urgency: 'low' });
    await s.app.desk.flushMail();
    const waiting = await s.app.desk.desk.storage.pending(10);
    expect(waiting.map((m) => m.to)).toEqual(['coordinator@alice.test', 'ops@provider.test']);
    expect(waiting[0]!.attempts).toBeGreaterThanOrEqual(1);
    expect(waiting[0]!.lastError).toMatch(/ECONNREFUSED|connect/);
    // The SMTP server is back (same port): the next flush delivers them.
    smtp = await startSmtp(Number(new URL(smtp.url).port));
    seen = 0;
    const sent = await delivered();
    expect(sent.map((m) => [m.to, m.subject.replace(/#\d+/, '#N')])).toEqual([
      ['coordinator@alice.test', '[kluis] incident #N opened (P4): cannot log in'],
      ['ops@provider.test', '[kluis] incident #N opened (P4): cannot log in'],
    ]);
    expect(await s.app.desk.desk.storage.pending(10)).toEqual([]);
  });
});
