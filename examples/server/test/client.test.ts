import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KluisError } from '@kluis/core';
import { createRepository, httpTransport } from '@kluis/transport-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blob, startServer, type TestServer } from './_server.ts';

let s: TestServer;
let alicePw: string;

beforeAll(async () => {
  s = await startServer();
  alicePw = await s.addAccount('alice', { quota: 50_000_000 });
  await s.addAccount('bob');
});

afterAll(() => s.close());

const transport = (user: string, password: string, repo: string) =>
  httpTransport({ url: new URL(`/${repo}/`, s.url), auth: { username: user, password }, retry: false });

describe('kluis http transport against the server', () => {
  it('stores, lists, reads ranges and is refused where it has no grant', async () => {
    const options = { url: new URL('/alice/laptop/', s.url), auth: { username: 'alice', password: alicePw } };
    await createRepository(options);
    const t = transport('alice', alicePw, 'alice/laptop');
    const b = blob('through the kluis client');
    await t.put(`data/${b.id}`, b.bytes, { ifAbsent: true });
    await expect(t.put(`data/${b.id}`, b.bytes, { ifAbsent: true })).rejects.toSatisfy((e) =>
      KluisError.is(e, 'ALREADY_EXISTS'),
    );
    const listed = [];
    for await (const o of await t.list('data/')) listed.push(o);
    expect(listed).toEqual([{ key: `data/${b.id}`, size: b.bytes.length }]);
    expect(new TextDecoder().decode(await t.get(`data/${b.id}`, { range: { offset: 12, length: 5 } }))).toBe(
      'kluis',
    );
    await expect(t.delete(`data/${b.id}`)).rejects.toSatisfy((e) => KluisError.is(e, 'AUTH'));
    const intruder = transport('bob', 'pw-bob-secret', 'alice/laptop');
    await expect(intruder.stat(`data/${b.id}`)).rejects.toSatisfy((e) => KluisError.is(e, 'AUTH'));
    const wrong = transport('alice', 'not the password', 'alice/laptop');
    await expect(wrong.get(`data/${b.id}`)).rejects.toSatisfy((e) => KluisError.is(e, 'AUTH'));
  });

  it('maps a full quota to QUOTA', async () => {
    await s.app.accounts.setQuota('alice', (await s.app.ledger.usage('alice')).used + 10, 'test');
    const b = blob('more than ten bytes of data');
    await expect(transport('alice', alicePw, 'alice/laptop').put(`data/${b.id}`, b.bytes)).rejects.toSatisfy(
      (e) => KluisError.is(e, 'QUOTA'),
    );
    await s.app.accounts.setQuota('alice', 50_000_000, 'test');
  });
});

function hasRestic(): boolean {
  try {
    // restic comes from Debian's packages; install it when missing so this runs on a fresh machine.
    execFileSync(
      'bash',
      [new URL('../../../scripts/ensure-debian-package.sh', import.meta.url).pathname, 'restic'],
      {
        stdio: 'ignore',
      },
    );
  } catch {
    // reported by the check below
  }
  try {
    execFileSync('restic', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('restic client against the server', () => {
  it.skipIf(!hasRestic())('backs up and restores through the server, append-only', async () => {
    const src = join(s.dir, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'hello.txt'), 'hello from restic\n');
    const u = new URL(s.url);
    const repo = `rest:${u.protocol}//alice:${alicePw}@${u.host}/alice/restic/`;
    const env = {
      ...process.env,
      RESTIC_PASSWORD: 'repository password',
      RESTIC_CACHE_DIR: join(s.dir, 'cache'),
    };
    // Asynchronously: the server runs in this process and must keep answering.
    const restic = (...args: string[]) => promisify(execFile)('restic', ['-r', repo, ...args], { env });
    await restic('init');
    await restic('backup', src);
    await restic('restore', 'latest', '--target', join(s.dir, 'out'));
    expect(readFileSync(join(s.dir, 'out', src, 'hello.txt'), 'utf8')).toBe('hello from restic\n');
    // restic itself retries a refused delete for a long time, so check append-only directly.
    const [snapshot] = JSON.parse((await restic('snapshots', '--json')).stdout) as { id: string }[];
    const del = await s.fetchAs('alice', `/alice/restic/snapshots/${snapshot!.id}`, { method: 'DELETE' });
    expect(del.status).toBe(403);
  });
});
