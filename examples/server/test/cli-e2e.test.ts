import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKluis } from '../../client/test/_run.ts';
import { startServer, type TestServer } from './_server.ts';

let s: TestServer;
let alicePw: string;

beforeAll(async () => {
  s = await startServer();
  alicePw = await s.addAccount('alice', { quota: 100_000_000 });
  await s.addAccount('bob');
});
afterAll(() => s.close());

const kluis = (args: string[], repoUrl: string) =>
  runKluis(args, { KLUIS_REPOSITORY: repoUrl, KLUIS_PASSWORD: 'repository secret' });

describe('the kluis CLI against the reference server over HTTP', () => {
  it('a backup past the account quota says used and limit', async () => {
    const pw = await s.addAccount('carol', { quota: 60_000 });
    const src = join(s.dir, 'carol-src');
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'big.bin'), randomBytes(200_000));
    const url = new URL('/carol/laptop/', s.url);
    url.username = 'carol';
    url.password = pw;
    expect((await kluis(['init', '--scrypt-n', '1024'], url.toString())).code).toBe(0);
    const full = await kluis(['backup', src], url.toString());
    expect(full.code).toBe(1);
    expect(full.err).toMatch(
      /^kluis: .*HTTP 507 .*\(quota\): [\d.]+ (B|KiB) of 58\.6 KiB used; free space with kluis forget --prune, or ask for a larger quota\n$/,
    );
  });

  it('initialises, backs up, restores and is refused what its role does not allow', async () => {
    const src = join(s.dir, 'client-src');
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'a.txt'), 'over the wire\n'.repeat(2000));
    await writeFile(
      join(src, 'sub', 'b.bin'),
      new Uint8Array(300_000).map((_, i) => (i * 7919) & 255),
    );
    const url = new URL('/alice/laptop/', s.url);
    url.username = 'alice';
    url.password = alicePw;
    const repo = url.toString();
    expect((await kluis(['init', '--scrypt-n', '1024'], repo)).code).toBe(0);
    const first = await kluis(['backup', src, '--json'], repo);
    expect(first.code, first.err).toBe(0);
    await writeFile(join(src, 'c.txt'), 'added later');
    const second = JSON.parse((await kluis(['backup', src, '--json'], repo)).out);
    expect(second.summary.filesUnchanged).toBe(2);
    const target = join(s.dir, 'client-restore');
    expect((await kluis(['restore', 'latest', '--target', target, '--verify'], repo)).code).toBe(0);
    expect(await readFile(join(target, 'client-src', 'a.txt'), 'utf8')).toBe('over the wire\n'.repeat(2000));
    expect((await readFile(join(target, 'client-src', 'sub', 'b.bin'))).length).toBe(300_000);
    expect((await kluis(['check', '--read-data'], repo)).code).toBe(0);
    // The backup role is append-only: forgetting snapshots is refused, nothing is lost.
    const forget = await kluis(['forget', '--keep-last', '1'], repo);
    expect(forget.code).toBe(3);
    expect(JSON.parse((await kluis(['snapshots', '--json'], repo)).out)).toHaveLength(2);
    // Another account cannot read alice's repository.
    const bob = new URL('/alice/laptop/', s.url);
    bob.username = 'bob';
    bob.password = 'pw-bob-secret';
    expect((await kluis(['snapshots'], bob.toString())).code).toBe(3);
    const log = s.accessLog();
    expect(log.some((l) => l.user === 'alice' || l.account === 'alice')).toBe(true);
    await rm(target, { recursive: true, force: true });
  });
});
