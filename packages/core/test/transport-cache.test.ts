import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  backup,
  initRepository,
  memoryCacheStore,
  openRepository,
  type Transport,
  walkTree,
  withCache,
  withMetrics,
} from '../src/index';
import { fileCacheStore, localTransport } from '../src/node/index';
import { memSource, prng } from './helpers/trees';

const SCRYPT = { N: 1024, r: 8, p: 1 };
const SMALL = { minSize: 1024, avgSize: 4096, maxSize: 16384 };

const named = (kind: string, bytes: Uint8Array) =>
  `${kind}/${createHash('sha256').update(bytes).digest('hex')}`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A local repository store and a file cache, both on disk, with the repository's reads counted. */
function setup(maxBytes?: number) {
  const storage = localTransport({ root: join(dir, 'repo') });
  const metered = withMetrics(storage);
  const cacheDir = join(dir, 'cache');
  const store = fileCacheStore({ dir: cacheDir, ...(maxBytes !== undefined ? { maxBytes } : {}) });
  return { storage, metered, cacheDir, cached: withCache(metered.transport, store) };
}

describe('withCache over files', () => {
  it('serves a second read from the cache: no transport read', async () => {
    const { storage, metered, cached } = setup();
    const body = prng(5000, 1);
    const key = named('index', body);
    await storage.put(key, body);
    expect(await cached.get(key)).toEqual(body);
    expect(metered.metrics().ops.get.calls).toBe(1);
    expect(await cached.get(key)).toEqual(body);
    expect(await cached.get(key, { range: { offset: 10, length: 20 } })).toEqual(body.subarray(10, 30));
    expect(metered.metrics().ops.get.calls).toBe(1);
  });

  it('a put of an index file or snapshot is cached at once; other objects are not', async () => {
    const { metered, cached, cacheDir } = setup();
    const snap = prng(300, 2);
    const pack = prng(300, 3);
    await cached.put(named('snapshots', snap), snap);
    await cached.put(named('data', pack), pack);
    await cached.put('config', pack);
    expect(await cached.get(named('snapshots', snap))).toEqual(snap);
    expect(metered.metrics().ops.get.calls).toBe(0);
    expect(await readdir(cacheDir)).toEqual(['snapshots']);
  });

  it('a data pack is cached only when read as a tree pack, and a range of it is served', async () => {
    const { storage, metered, cached } = setup();
    const pack = prng(10_000, 4);
    const key = named('data', pack);
    await storage.put(key, pack);
    await cached.get(key, { range: { offset: 0, length: 100 } });
    await cached.get(key, { range: { offset: 0, length: 100 } });
    expect(metered.metrics().ops.get.calls).toBe(2); // not marked: passes through
    const part = await cached.get(key, { range: { offset: 500, length: 700 }, contents: 'tree' });
    expect(part).toEqual(pack.subarray(500, 1200));
    expect(metered.metrics().ops.get.calls).toBe(3);
    expect(await cached.get(key, { range: { offset: 9000, length: 1000 }, contents: 'tree' })).toEqual(
      pack.subarray(9000),
    );
    expect(metered.metrics().ops.get.calls).toBe(3);
  });

  it('a stale entry (object deleted in the repository by someone else) is not served after a listing', async () => {
    const { storage, metered, cached, cacheDir } = setup();
    const body = prng(1000, 5);
    const key = named('snapshots', body);
    await storage.put(key, body);
    await cached.get(key);
    await storage.delete(key); // another client's forget
    const listed = [];
    for await (const o of cached.list('snapshots/')) listed.push(o.key);
    expect(listed).toEqual([]);
    await expect(readdir(join(cacheDir, 'snapshots'))).resolves.toEqual([]);
    await expect(cached.get(key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(metered.metrics().ops.get.calls).toBe(2);
  });

  it('a delete through the wrapper drops the entry', async () => {
    const { storage, cached } = setup();
    const body = prng(1000, 6);
    const key = named('index', body);
    await storage.put(key, body);
    await cached.get(key);
    await cached.delete(key);
    await expect(cached.get(key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a tampered entry (bytes changed on disk) is detected, dropped and fetched again', async () => {
    const { storage, metered, cached, cacheDir } = setup();
    const body = prng(4000, 7);
    const key = named('index', body);
    await storage.put(key, body);
    await cached.get(key);
    const file = join(cacheDir, ...key.split('/'));
    const bad = Uint8Array.from(await readFile(file));
    bad[100] = (bad[100] ?? 0) ^ 1;
    await writeFile(file, bad);
    expect(await cached.get(key)).toEqual(body); // never the tampered bytes
    expect(metered.metrics().ops.get.calls).toBe(2); // refetched
    expect(new Uint8Array(await readFile(file))).toEqual(body); // and replaced by good bytes
    await writeFile(file, bad.subarray(0, 10)); // truncated
    expect(await cached.get(key, { range: { offset: 3000, length: 1000 } })).toEqual(body.subarray(3000));
    expect(metered.metrics().ops.get.calls).toBe(3);
  });

  it('stays within maxBytes, evicting the entries used longest ago', async () => {
    const { storage, cached, cacheDir } = setup(10_000);
    const bodies = [8, 9, 10].map((seed) => prng(4000, seed));
    const keys = bodies.map((b) => named('index', b));
    for (const [i, b] of bodies.entries()) await storage.put(keys[i] as string, b);
    await cached.get(keys[0] as string);
    await cached.get(keys[1] as string);
    // The first one was used longest ago (mtime is what eviction goes by, across runs too).
    await utimes(join(cacheDir, ...(keys[0] as string).split('/')), 1, 1);
    const again = withCache(storage, fileCacheStore({ dir: cacheDir, maxBytes: 10_000 }));
    await again.get(keys[2] as string);
    const left = (await readdir(join(cacheDir, 'index'))).sort();
    expect(left).toEqual([keys[1], keys[2]].map((k) => (k as string).slice(6)).sort());
    let total = 0;
    for (const n of left) total += (await stat(join(cacheDir, 'index', n))).size;
    expect(total).toBeLessThanOrEqual(10_000);
  });

  it('a tree pack larger than the bound is fetched whole once, then read by ranges', async () => {
    const { storage, metered } = setup();
    const cached = withCache(metered.transport, fileCacheStore({ dir: join(dir, 'small'), maxBytes: 1000 }));
    const pack = prng(10_000, 12);
    const key = named('data', pack);
    await storage.put(key, pack);
    const range = { offset: 100, length: 50 };
    expect(await cached.get(key, { range, contents: 'tree' })).toEqual(pack.subarray(100, 150));
    expect(await cached.get(key, { range, contents: 'tree' })).toEqual(pack.subarray(100, 150));
    expect(metered.metrics().bytesRead).toBe(10_000 + 50);
  });

  it('an unusable cache directory costs only misses', async () => {
    const storage = localTransport({ root: join(dir, 'repo') });
    await writeFile(join(dir, 'file'), 'not a directory');
    const cached = withCache(storage, fileCacheStore({ dir: join(dir, 'file', 'cache') }));
    const body = prng(100, 11);
    const key = named('index', body);
    await cached.put(key, body);
    expect(await cached.get(key)).toEqual(body);
  });
});

describe('withCache under a repository', () => {
  async function repoWithBackup(t: Transport) {
    const repo = await initRepository(t, {
      password: 'pw',
      scrypt: SCRYPT,
      chunker: SMALL,
      packSize: 1 << 16,
    });
    const tree: Record<string, Record<string, Uint8Array>> = {};
    for (let d = 0; d < 20; d++) {
      const files: Record<string, Uint8Array> = {};
      for (let f = 0; f < 5; f++) files[`f${f}`] = prng(3000, d * 10 + f);
      tree[`d${d}`] = files;
    }
    await backup(repo, memSource(tree), { host: 'h' });
    await repo.close();
  }

  async function readEverything(t: Transport): Promise<number> {
    const repo = await openRepository(t, { password: 'pw' });
    await repo.blobs.loadIndex();
    let n = 0;
    for (const s of await repo.snapshots.list()) for await (const _ of walkTree(repo, s.snapshot.tree)) n++;
    await repo.close();
    return n;
  }

  it('listing snapshots and walking their trees a second time reads only listings and config', async () => {
    const { storage, metered, cached } = setup();
    await repoWithBackup(storage);
    const first = await readEverything(cached);
    const cold = metered.metrics().ops.get.calls;
    metered.reset();
    expect(await readEverything(cached)).toBe(first);
    const warm = metered.metrics();
    expect(first).toBeGreaterThan(100);
    expect(cold).toBeGreaterThan(3);
    // Only config and the key slot are read again (neither is named by its hash).
    const uncachedGets = warm.ops.get.calls;
    expect(uncachedGets).toBeLessThanOrEqual(2);
  });

  it('a repository read through a memory cache answers as one read without it', async () => {
    const t = setup().storage;
    await repoWithBackup(t);
    const store = memoryCacheStore();
    expect(await readEverything(withCache(t, store))).toBe(await readEverything(t));
    expect((await store.keys('')).length).toBeGreaterThan(2);
  });
});
