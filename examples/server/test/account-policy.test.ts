import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runKluis } from '../../client/test/_run.ts';
import { startServer, type TestServer } from './_server.ts';

const DAY = 86_400_000;
let s: TestServer;
let alicePw: string;
let opsPw: string;

beforeAll(async () => {
  // No maintenance window: the test's days pass over a Saturday.
  s = await startServer({ maintenance: { mode: 'off' } });
  alicePw = await s.addAccount('alice', { quota: 100_000_000 });
  opsPw = await s.addAccount('alice-ops', { role: 'none' });
  await s.app.grants.grant({
    account: 'alice-ops',
    role: 'maintenance',
    scope: 'alice',
    expiresAt: s.clock.now + 60 * DAY,
    by: 'test',
  });
});
afterAll(() => s.close());
afterEach(() => {
  vi.useRealTimers();
});

const repoUrl = (user: string, password: string) => {
  const url = new URL('/alice/laptop/', s.url);
  url.username = user;
  url.password = password;
  return url.toString();
};

/**
 * The CLI in-process, its clock set to the server's (snapshot times are the client's, lock times
 * the server's; here they agree), with an empty settings directory.
 */
async function kluis(args: string[], url: string) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(s.clock.now);
  try {
    return await runKluis(args, {
      KLUIS_REPOSITORY: url,
      KLUIS_PASSWORD: 'repository secret',
      XDG_CONFIG_HOME: join(s.dir, 'client-settings'),
    });
  } finally {
    vi.useRealTimers();
  }
}

async function keys(): Promise<string[]> {
  const out: string[] = [];
  for await (const o of s.app.storage.repository('alice/laptop').list('')) out.push(o.key);
  return out.sort();
}
const snapshots = async () => (await keys()).filter((k) => k.startsWith('snapshots/'));

describe('forget without flags on a kluis server applies the account’s retention', () => {
  it('with the maintenance credential deletes only what is older than the policy; the backup credential is refused, nothing written', {
    timeout: 60_000,
  }, async () => {
    const src = join(s.dir, 'policy-src');
    await mkdir(src, { recursive: true });
    const backup = repoUrl('alice', alicePw);
    const maintenance = repoUrl('alice-ops', opsPw);
    expect((await kluis(['init', '--scrypt-n', '1024'], backup)).code).toBe(0);
    // Backups 12, 9, 7 and 0 days before the end; the account keeps 7 days and protects 7, so
    // forget keeps 8 days: the first two go, the one of 7 days ago stays.
    const taken: string[] = [];
    for (const step of [0, 3, 2, 7]) {
      s.clock.now += step * DAY;
      await writeFile(join(src, 'a.txt'), `at ${s.clock.now}\n`.repeat(4000));
      const before = await snapshots();
      const r = await kluis(['backup', src], backup);
      expect(r.code, r.err).toBe(0);
      const added = (await snapshots()).filter((k) => !before.includes(k));
      expect(added).toHaveLength(1);
      taken.push(added[0]!);
    }
    const [twelve, nine, seven, today] = taken;

    const get = await kluis(['config', 'get', 'retention'], maintenance);
    expect(get.out).toMatch(
      /forget applies account alice's retention: keep-within 8d \(retention 7 day\(s\), protected 7\)/,
    );

    // An attacker (or a mistake) with the backup credential: the policy is read, the deletes refused.
    const before = await keys();
    const refused = await kluis(['forget'], backup);
    expect(refused.out.split('\n')[0]).toBe(
      'policy keep-within 8d: from account alice on the server (retention 7 day(s), protected 7; the larger of the retention and protected + 1)',
    );
    expect(refused.code).toBe(3);
    expect(refused.err).toMatch(/nothing was removed/);
    expect(await keys()).toEqual(before);

    const job = await kluis(['forget', '--prune', '--grace-hours', '0'], maintenance);
    expect(job.code, job.err).toBe(0);
    expect(job.out).toMatch(/^policy keep-within 8d: from account alice on the server/);
    expect(job.out).toMatch(/removed 2 snapshot\(s\), kept 2/);
    expect(await snapshots()).toEqual([seven!, today!].sort());
    expect(await snapshots()).not.toContain(twelve);
    expect(await snapshots()).not.toContain(nine);
    expect(s.accessLog().filter((e) => e.event === 'denied' && e.reason === 'retention lock')).toEqual([]);

    // The account's quota with a bare --fit-quota (a dry run: nothing needs to go).
    const fit = await kluis(['forget', '--fit-quota', '--dry-run'], maintenance);
    expect(fit.code, fit.err).toBe(0);
    expect(fit.out).toMatch(/quota 95\.4 MiB: from account alice on the server/);
    expect(fit.out).toMatch(/quota 95\.4 MiB: no snapshot beyond the policy needs to go/);
    const check = await kluis(['check', '--read-data'], backup);
    expect(check.code, check.err).toBe(0);

    // A longer retention on the server lengthens what forget keeps, with no client change (the
    // protected days follow the retention days: 30, so forget keeps 31).
    await s.app.accounts.setRetention('alice', { days: 30 }, 'test');
    const longer = await kluis(['forget', '--dry-run'], maintenance);
    expect(longer.out).toMatch(/^policy keep-within 31d: from account alice/);
    expect(longer.out).toMatch(/would remove 0 snapshot\(s\), keep 2/);
    await rm(src, { recursive: true, force: true });
  });
});
