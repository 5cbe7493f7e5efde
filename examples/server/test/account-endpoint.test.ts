import { KluisError } from '@kluis/core';
import { fetchAccountInfo } from '@kluis/transport-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blob, startServer, type TestServer } from './_server.ts';

const DAY = 86_400_000;
let s: TestServer;
const pw = new Map<string, string>();

beforeAll(async () => {
  s = await startServer();
  pw.set('alice', await s.addAccount('alice', { quota: 5_000_000 }));
  pw.set('bob', await s.addAccount('bob'));
  for (const [name, role, scope] of [
    ['alice-ops', 'maintenance', 'alice'],
    ['alice-read', 'restore', 'alice/laptop'],
    ['audrey', 'auditor', 'alice'],
    ['root', 'admin', '*'],
  ] as const) {
    pw.set(name, await s.addAccount(name, { role: 'none' }));
    await s.app.grants.grant({ account: name, role, scope, by: 'test', expiresAt: s.clock.now + 30 * DAY });
  }
  await s.app.accounts.setRetention('alice', { days: 14, protectDays: 10 }, 'test');
});
afterAll(() => s.close());

const info = (user: string, repo = 'alice/laptop', password = pw.get(user)!) =>
  fetchAccountInfo({ url: new URL(`/${repo}/`, s.url), auth: { username: user, password } });

describe('GET /-/account', () => {
  it('gives every role covering the repository its account’s retention, protected days and quota', async () => {
    const b = blob('counted against the quota');
    await s.fetchAs('alice', `/alice/laptop/data/${b.id}`, { method: 'POST', body: b.bytes });
    const expected = {
      account: 'alice',
      retentionDays: 14,
      protectDays: 10,
      usedBytes: b.bytes.length,
      quotaBytes: 5_000_000,
    };
    for (const user of ['alice', 'alice-ops', 'alice-read', 'audrey', 'root'])
      expect([user, await info(user)]).toEqual([user, expected]);
    const log = s.accessLog().filter((e) => e.op === 'read-account');
    expect(log.map((e) => [e.user, e.event, e.repo, e.status])).toContainEqual([
      'alice-ops',
      'access',
      'alice/laptop',
      200,
    ]);
  });

  it('reports defaults and an unlimited quota as undefined', async () => {
    expect(await info('bob', 'bob/pc')).toEqual({
      account: 'bob',
      retentionDays: 7,
      protectDays: 7,
      usedBytes: 0,
      quotaBytes: undefined,
    });
    const own = await s.fetchAs('bob', '/-/account');
    expect(await own.json()).toMatchObject({ account: 'bob' });
  });

  it('refuses another account’s area, wrong credentials, a lapsed grant and bad paths', async () => {
    await expect(info('bob')).rejects.toSatisfy((e) => KluisError.is(e, 'AUTH'));
    await expect(info('alice-read', 'alice/desktop')).rejects.toSatisfy((e) => KluisError.is(e, 'AUTH'));
    await expect(info('alice', 'alice/laptop', 'wrong password')).rejects.toSatisfy((e) =>
      KluisError.is(e, 'AUTH'),
    );
    // An unknown account is refused like another's (names are not revealed), except to an admin.
    await expect(info('bob', 'nobody/x')).rejects.toSatisfy((e) => KluisError.is(e, 'AUTH'));
    await expect(info('root', 'nobody/x')).rejects.toSatisfy((e) => KluisError.is(e, 'NOT_FOUND'));
    expect((await s.fetchAs('alice', '/-/account?repo=alice/../bob')).status).toBe(400);
    expect((await s.fetchAs('alice', '/-/account', { method: 'POST' })).status).toBe(405);
    s.clock.now += 31 * DAY;
    await expect(info('alice-ops')).rejects.toSatisfy((e) => KluisError.is(e, 'AUTH'));
    s.clock.now -= 31 * DAY;
  });
});
