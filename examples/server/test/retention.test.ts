import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKluis } from '../../client/test/_run.ts';
import { blob, startServer, type TestServer } from './_server.ts';

const DAY = 86_400_000;
let s: TestServer;
let alicePw: string;
let opsPw: string;

beforeAll(async () => {
  s = await startServer();
  alicePw = await s.addAccount('alice', { quota: 100_000_000 });
  // The provider's (or the customer's) maintenance credential: deletes under the retention lock,
  // for 30 days, then it must be renewed.
  opsPw = await s.addAccount('alice-ops', { role: 'none' });
  await s.app.grants.grant({
    account: 'alice-ops',
    role: 'maintenance',
    scope: 'alice',
    expiresAt: s.clock.now + 30 * DAY,
    by: 'test',
  });
  await s.addAccount('root', { role: 'none' });
  await s.app.grants.grant({ account: 'root', role: 'admin', scope: '*', by: 'test' });
});
afterAll(() => s.close());

const repoUrl = (user: string, password: string) => {
  const url = new URL('/alice/laptop/', s.url);
  url.username = user;
  url.password = password;
  return url.toString();
};
const kluis = (args: string[], url: string) =>
  runKluis(args, { KLUIS_REPOSITORY: url, KLUIS_PASSWORD: 'repository secret' });

async function keys(type: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of s.app.storage.repository('alice/laptop').list(`${type}/`)) out.push(o.key);
  return out.sort();
}

const del = (user: string, key: string) => s.fetchAs(user, `/alice/laptop/${key}`, { method: 'DELETE' });

describe('retention for an append-only account', () => {
  it('backs up with the backup credential, forgets and prunes with the maintenance credential, and keeps the protected days from both', async () => {
    const src = join(s.dir, 'retention-src');
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'a.txt'), 'day zero\n'.repeat(5000));
    const backup = repoUrl('alice', alicePw);
    expect((await kluis(['init', '--scrypt-n', '1024'], backup)).code).toBe(0);
    const first = await kluis(['backup', src], backup);
    expect(first.code, first.err).toBe(0);
    const [oldSnapshot] = await keys('snapshots');
    const oldPacks = await keys('data');
    expect(oldPacks.length).toBeGreaterThan(0);

    // Eight days later (the account keeps 7), the file has changed and is backed up again.
    s.clock.now += 8 * DAY;
    await writeFile(join(src, 'a.txt'), 'day eight\n'.repeat(5000));
    expect((await kluis(['backup', src], backup)).code).toBe(0);
    const newSnapshot = (await keys('snapshots')).find((k) => k !== oldSnapshot)!;
    const newPack = (await keys('data')).find((k) => !oldPacks.includes(k))!;
    const [keyFile] = await keys('keys');

    // An attacker with the backup credential cannot shorten history, old or new.
    expect((await kluis(['forget', '--keep-last', '1'], backup)).code).toBe(3);
    const index = await keys('index');
    for (const key of [oldSnapshot!, newSnapshot, oldPacks[0]!, newPack, index[0]!, keyFile!, 'config']) {
      expect([key, (await del('alice', key)).status]).toEqual([key, 403]);
    }
    const overwrite = await s.fetchAs('alice', `/alice/laptop/${oldSnapshot}`, { method: 'POST', body: 'x' });
    expect(overwrite.status).toBe(403);
    expect(await keys('snapshots')).toHaveLength(2);

    // The maintenance credential cannot delete what the retention lock protects, says why, and
    // the refused delete leaves the object as it was.
    const young = await del('alice-ops', newSnapshot);
    expect(young.status).toBe(403);
    expect(young.headers.get('kluis-error')).toBe('retention-lock');
    expect(await young.text()).toMatch(
      /^retention lock: snapshots\/[0-9a-f]{64} was stored 2026-04-02T11:00:00.000Z and is protected until 2026-04-09T11:00:00.000Z \(account alice keeps 7 days\); only an admin can delete it sooner\n$/,
    );
    expect((await del('alice-ops', newPack)).status).toBe(403);
    expect(await keys('snapshots')).toHaveLength(2);
    // Nor may it do what only admins do.
    expect((await del('alice-ops', keyFile!)).status).toBe(403);
    expect((await del('alice-ops', 'config')).status).toBe(403);
    expect((await s.fetchAs('alice-ops', '/-/log')).status).toBe(403);
    expect((await s.fetchAs('alice-ops', '/-/metrics')).status).toBe(403);
    expect((await s.fetchAs('alice-ops', '/alice/other/?create=true', { method: 'POST' })).status).toBe(403);

    // The scheduled job: forget and prune with the maintenance credential.
    const maintenance = repoUrl('alice-ops', opsPw);
    const job = await kluis(['forget', '--keep-last', '1', '--prune'], maintenance);
    expect(job.code, job.err).toBe(0);
    expect(job.out).toMatch(/removed 1 snapshot\(s\), kept 1/);
    expect(await keys('snapshots')).toEqual([newSnapshot]);
    // The packs only the forgotten snapshot used were marked; a later prune deletes them.
    const prune = await kluis(['prune', '--grace-hours', '0'], maintenance);
    expect(prune.code, prune.err).toBe(0);
    expect((await keys('data')).filter((k) => oldPacks.includes(k))).toEqual([]);
    const check = await kluis(['check', '--read-data'], backup);
    expect(check.code, check.err).toBe(0);

    expect(s.app.metrics.get('kluis_refused_total', { reason: 'retention-lock' })).toBe(2);
    const denied = s.accessLog().filter((e) => e.event === 'denied' && e.reason === 'retention lock');
    expect(denied.map((e) => [e.user, e.status])).toEqual([
      ['alice-ops', 403],
      ['alice-ops', 403],
    ]);
    await rm(src, { recursive: true, force: true });
  });

  it('lets an admin delete a protected object, and a lapsed maintenance grant nothing', async () => {
    const b = blob('a young object');
    expect(
      (await s.fetchAs('alice', `/alice/laptop/data/${b.id}`, { method: 'POST', body: b.bytes })).status,
    ).toBe(200);
    expect((await del('alice-ops', `data/${b.id}`)).status).toBe(403);
    expect((await del('root', `data/${b.id}`)).status).toBe(200);
    s.clock.now += 30 * DAY;
    const c = blob('an object past its protection');
    await s.fetchAs('alice', `/alice/laptop/data/${c.id}`, { method: 'POST', body: c.bytes });
    s.clock.now += 8 * DAY;
    expect((await del('alice-ops', `data/${c.id}`)).status).toBe(403);
    expect((await s.fetchAs('alice-ops', '/alice/laptop/data/')).status).toBe(403);
  });

  it('follows the account’s protected days, set apart from its retention days', async () => {
    await s.app.accounts.setRetention('alice', { days: 30, protectDays: 2 }, 'test');
    await s.app.grants.grant({
      account: 'alice-ops',
      role: 'maintenance',
      scope: 'alice/laptop',
      by: 'test',
    });
    const d = blob('kept two days');
    await s.fetchAs('alice', `/alice/laptop/data/${d.id}`, { method: 'POST', body: d.bytes });
    s.clock.now += 2 * DAY - 1;
    expect((await del('alice-ops', `data/${d.id}`)).status).toBe(403);
    s.clock.now += 1;
    expect((await del('alice-ops', `data/${d.id}`)).status).toBe(200);
    // Locks and index files are not under the lock: a prune replaces index files.
    const l = blob('a lock');
    await s.fetchAs('alice', `/alice/laptop/locks/${l.id}`, { method: 'POST', body: l.bytes });
    expect((await del('alice-ops', `locks/${l.id}`)).status).toBe(200);
    const actions = (await s.app.accounts.list()).find((a) => a.name === 'alice');
    expect(actions).toMatchObject({ retentionDays: 30, protectDays: 2 });
  });
});
