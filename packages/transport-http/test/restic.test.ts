import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { memoryTransport } from '@kluis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestHandler } from '../src/index';
import { serveNode } from '../src/node/index';

const run = promisify(execFile);
// restic comes from Debian's packages; install it when missing so this check runs on a fresh machine.
await run('bash', [
  new URL('../../../scripts/ensure-debian-package.sh', import.meta.url).pathname,
  'restic',
]).catch(() => {});
const restic = await run('restic', ['version']).then(
  () => true,
  () => false,
);
const title = restic
  ? "restic's own client against createRestHandler"
  : "restic's own client against createRestHandler (SKIPPED: no `restic` binary on PATH)";

describe.skipIf(!restic)(title, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kluis-restic-'));
    await mkdir(join(dir, 'src/sub'), { recursive: true });
    await writeFile(join(dir, 'src/hello.txt'), 'hello restic\n');
    await writeFile(join(dir, 'src/sub/random.bin'), crypto.getRandomValues(new Uint8Array(65536)));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  // One storage only: every restic command derives its key with scrypt, which takes seconds here.
  // The local-disk store passes the same run too (checked by hand with this test's store swapped).
  it('init, backup, snapshots, restore and check --read-data, with upload hashes verified', async () => {
    const label = 'memory';
    const store = memoryTransport();
    const server = await serveNode(createRestHandler(store));
    const env = {
      ...process.env,
      RESTIC_REPOSITORY: `rest:${server.url}repo/`,
      RESTIC_PASSWORD: 'correct horse battery staple',
      RESTIC_CACHE_DIR: join(dir, `cache-${label}`),
    };
    const r = (...args: string[]) => run('restic', args, { env, cwd: dir });
    try {
      await r('init');
      await r('backup', 'src');
      const { stdout } = await r('snapshots', '--json');
      expect((JSON.parse(stdout) as unknown[]).length).toBe(1);
      await r('restore', 'latest', '--target', join(dir, `out-${label}`));
      const restored = join(dir, `out-${label}`, 'src');
      expect(await readFile(join(restored, 'hello.txt'), 'utf8')).toBe('hello restic\n');
      expect(await readFile(join(restored, 'sub/random.bin'))).toEqual(
        await readFile(join(dir, 'src/sub/random.bin')),
      );
      await r('check', '--read-data');
    } finally {
      await server.close();
    }
  });
});
