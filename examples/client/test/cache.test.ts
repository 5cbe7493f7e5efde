import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheMaxBytesFrom, cacheRoot } from '../src/context.ts';
import { runKluis } from './_run.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-cli-cache-'));
  await mkdir(join(dir, 'src', 'sub'), { recursive: true });
  await writeFile(join(dir, 'src', 'a.txt'), 'alpha\n'.repeat(1000));
  await writeFile(join(dir, 'src', 'sub', 'b.txt'), 'beta\n'.repeat(1000));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the local cache in the CLI', () => {
  it('keeps index files, snapshots and trees under KLUIS_CACHE_DIR/<repository id>; --no-cache keeps none', async () => {
    const cache = join(dir, 'cache');
    const env = { KLUIS_REPOSITORY: join(dir, 'repo'), KLUIS_PASSWORD: 'pw', KLUIS_CACHE_DIR: cache };
    expect((await runKluis(['init', '--scrypt-n', '1024'], env)).code).toBe(0);
    const backup = await runKluis(['backup', join(dir, 'src'), '--no-cache'], env);
    expect(backup.err).toBe('');
    await expect(readdir(cache)).rejects.toMatchObject({ code: 'ENOENT' });
    const ls = await runKluis(['ls', 'latest'], env);
    expect(ls.code).toBe(0);
    const id = JSON.parse((await runKluis(['snapshots', '--json'], env)).out)[0];
    expect(id).toBeDefined();
    const [repoId] = await readdir(cache);
    expect(repoId).toMatch(/^[0-9a-f]{64}$/);
    expect((await readdir(join(cache, repoId as string))).sort()).toEqual(['data', 'index', 'snapshots']);
    // A second run answers alike from the cache.
    expect((await runKluis(['ls', 'latest'], env)).out).toBe(ls.out);
    expect((await runKluis(['ls', 'latest', '--no-cache'], env)).out).toBe(ls.out);
    // check reads the repository, not the cache: a damaged tree pack is found though its copy is good.
    const [pack] = await readdir(join(cache, repoId as string, 'data'));
    const stored = join(dir, 'repo', 'data', (pack as string).slice(0, 2), pack as string);
    const bytes = await readFile(stored);
    bytes[10] = (bytes[10] ?? 0) ^ 0xff;
    await writeFile(stored, bytes);
    const check = await runKluis(['check'], env);
    expect(check.code).not.toBe(0);
    expect(check.out + check.err).toContain((pack as string).slice(0, 8));
  });

  it('finds its root in KLUIS_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache', () => {
    expect(cacheRoot({ KLUIS_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' })).toBe('/c');
    expect(cacheRoot({ XDG_CACHE_HOME: '/x' })).toBe(join('/x', 'kluis'));
    expect(cacheRoot({})).toBe(join(homedir(), '.cache', 'kluis'));
  });

  it('bounds the cache by KLUIS_CACHE_MAX_MIB', () => {
    expect(cacheMaxBytesFrom({})).toBe(1 << 30);
    expect(cacheMaxBytesFrom({ KLUIS_CACHE_MAX_MIB: '64' })).toBe(64 << 20);
    expect(() => cacheMaxBytesFrom({ KLUIS_CACHE_MAX_MIB: 'lots' })).toThrow(/KLUIS_CACHE_MAX_MIB/);
  });
});
