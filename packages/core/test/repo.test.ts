import { describe, expect, it } from 'vitest';
import { toHex } from '../src/format/index';
import {
  backup,
  check,
  initRepository,
  KluisError,
  memoryTransport,
  openRepository,
  prune,
  type Repository,
  restore,
  type Transport,
  walkTree,
  withMetrics,
} from '../src/index';
import { type MemTree, memSource, memTarget, prng } from './helpers/trees';

const SCRYPT = { N: 1024, r: 8, p: 1 };
const SMALL = { minSize: 1024, avgSize: 4096, maxSize: 16384 };
const text = (s: string) => new TextEncoder().encode(s);

async function fresh(t: Transport = memoryTransport()) {
  const repo = await initRepository(t, { password: 'pw', scrypt: SCRYPT, chunker: SMALL, packSize: 1 << 16 });
  return { t, repo };
}

const sample = (): MemTree => ({
  docs: {
    'a.txt': text('hello world\n'.repeat(100)),
    empty: new Uint8Array(0),
    'ünïcödé name ✓.md': text('unicode'),
    nested: { deeper: { 'big.bin': prng(200_000, 7) } },
    link: { link: '../a.txt' },
  },
  other: { x: prng(50_000, 9) },
});

describe('repository', () => {
  it('init then open; wrong password is WRONG_PASSWORD; init twice is ALREADY_EXISTS', async () => {
    const { t } = await fresh();
    await expect(openRepository(t, { password: 'nope' })).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    const repo = await openRepository(t, { password: 'pw' });
    expect(repo.config.chunker).toEqual(SMALL);
    await expect(initRepository(t, { password: 'pw', scrypt: SCRYPT })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    await expect(openRepository(memoryTransport(), { password: 'pw' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('refuses an unknown format version and a tampered config', async () => {
    const { t } = await fresh();
    const config = JSON.parse(new TextDecoder().decode(await t.get('config')));
    await t.put('config', text(JSON.stringify({ ...config, version: 2 })));
    await expect(openRepository(t, { password: 'pw' })).rejects.toMatchObject({
      code: 'UNSUPPORTED_VERSION',
    });
    await t.put('config', text(JSON.stringify({ ...config, chunker: { ...config.chunker, avgSize: 8192 } })));
    await expect(openRepository(t, { password: 'pw' })).rejects.toMatchObject({ code: 'INTEGRITY' });
  });

  it('manages key slots: add, open with either, change password, never remove the last', async () => {
    const { t, repo } = await fresh();
    const id = await repo.addKey('second', { scrypt: SCRYPT, label: 'laptop' });
    expect((await repo.listKeys()).map((k) => k.id)).toContain(id);
    await openRepository(t, { password: 'second' });
    await repo.changePassword('second', 'third', { scrypt: SCRYPT });
    await expect(openRepository(t, { password: 'second' })).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    await openRepository(t, { password: 'third' });
    const keys = await repo.listKeys();
    expect(keys).toHaveLength(2);
    expect(keys.find((k) => k.label === 'laptop')).toBeDefined();
    await repo.removeKey(keys[0]!.id);
    await expect(repo.removeKey(keys[1]!.id)).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });

  it('keyId names the key slot in use, through open and changePassword', async () => {
    const { t, repo } = await fresh();
    const [first] = await repo.listKeys();
    expect(repo.keyId).toBe(first!.id);
    const second = await repo.addKey('second', { scrypt: SCRYPT });
    expect(repo.keyId).toBe(first!.id);
    const bySecond = await openRepository(t, { password: 'second' });
    expect(bySecond.keyId).toBe(second);
    const third = await bySecond.changePassword('second', 'third', { scrypt: SCRYPT });
    expect(bySecond.keyId).toBe(third);
    expect((await openRepository(t, { password: 'pw' })).keyId).toBe(first!.id);
  });

  it('backs up and restores a tree byte for byte, with verification', async () => {
    const { repo } = await fresh();
    const tree = sample();
    const { id, snapshot } = await backup(repo, memSource(tree), { host: 'h', tags: ['t'] });
    expect(snapshot.complete).toBe(true);
    expect(snapshot.summary.filesNew).toBe(5);
    const { target, root } = memTarget();
    const r = await restore(repo, id, target, { verify: true });
    expect(root).toEqual(tree);
    expect(r.verified).toBe(5);
  });

  it('loadTree reads the directories of a snapshot; blobId names the blobs a backup stored', async () => {
    const { repo } = await fresh();
    const { snapshot } = await backup(repo, memSource(sample()));
    const top = await repo.loadTree(snapshot.tree);
    expect(top.map((n) => n.name).sort()).toEqual(['docs', 'other']);
    const docs = await repo.loadTree(top.find((n) => n.name === 'docs')!.subtree!);
    const a = docs.find((n) => n.name === 'a.txt')!;
    expect(a.content).toEqual([toHex(repo.blobId(text('hello world\n'.repeat(100))))]);
    expect(repo.blobs.has(repo.blobId(text('hello world\n'.repeat(100))))).toBe(true);
    expect(repo.blobs.has(repo.blobId(text('never stored')))).toBe(false);
    // A data blob is not a tree, and a blob that is not stored is not found.
    await expect(repo.loadTree(a.content![0]!)).rejects.toMatchObject({ code: 'INVALID_DATA' });
    await expect(repo.loadTree(toHex(repo.blobId(text('never stored'))))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('incremental: unchanged files are not read; an edit adds only new chunks', async () => {
    const { repo } = await fresh();
    const tree = sample();
    const first = await backup(repo, memSource(tree), { host: 'h' });
    const second = await backup(repo, memSource(tree), { host: 'h', parent: 'latest' });
    expect(second.snapshot.parent).toBe(first.id);
    expect(second.snapshot.summary.bytesRead).toBe(0);
    expect(second.snapshot.summary.filesUnchanged).toBe(5);
    const big = (((tree.docs as MemTree).nested as MemTree).deeper as MemTree)['big.bin'] as Uint8Array;
    big[100_000] = big[100_000]! ^ 0xff;
    const third = await backup(repo, memSource(tree, { mtime: 1_800_000_000_000 }), {
      host: 'h',
      parent: 'latest',
    });
    expect(third.snapshot.summary.filesChanged).toBe(5);
    expect(third.snapshot.summary.bytesAdded).toBeLessThan(3 * SMALL.maxSize);
    const { target, root } = memTarget();
    await restore(repo, 'latest', target);
    expect(root).toEqual(tree);
  });

  it('restore reads runs of adjacent blobs with one range request', async () => {
    const metered = withMetrics(memoryTransport());
    const repo = await initRepository(metered.transport, {
      password: 'pw',
      scrypt: SCRYPT,
      chunker: SMALL,
      packSize: 1 << 20,
    });
    const tree = { f: { 'big.bin': prng(600_000, 21) } };
    await backup(repo, memSource(tree));
    const chunks = repo.blobs.index.size;
    const reader = await openRepository(metered.transport, { password: 'pw' });
    await reader.blobs.loadIndex();
    metered.reset();
    const { target, root } = memTarget();
    await restore(reader, 'latest', target);
    expect(root).toEqual(tree);
    expect(chunks).toBeGreaterThan(50);
    // Blobs enter packs in save order, so the file is one run: a few gets (snapshot, tree, one run), not one per chunk.
    expect(metered.metrics().ops.get.calls).toBeLessThanOrEqual(4);
  });

  it('closes a data pack early rather than grow its buffer past packSize + 1 MiB', async () => {
    const t = memoryTransport();
    const chunker = { minSize: 256 << 10, avgSize: 1 << 20, maxSize: 2 << 20 };
    const repo = await initRepository(t, { password: 'pw', scrypt: SCRYPT, chunker, packSize: 1 << 20 });
    const tree = { f: { 'a.bin': prng(5_000_000, 31), 'b.bin': prng(3_000_000, 32) } };
    await backup(repo, memSource(tree));
    const packs: { size: number; blobs: number }[] = [];
    for await (const o of t.list('data/')) {
      const key = o.key;
      const blobs = [...repo.blobs.index.entries()].filter((e) => `data/${toHex(e.pack)}` === key).length;
      packs.push({ size: o.size, blobs });
    }
    const capacity = (1 << 20) + (1 << 20);
    expect(packs.length).toBeGreaterThan(2);
    for (const p of packs) if (p.blobs > 1) expect(p.size).toBeLessThanOrEqual(capacity);
    const { target, root } = memTarget();
    await restore(repo, 'latest', target);
    // Buffer.equals: a deep toEqual over 8 MB takes tens of seconds.
    const restored = root.f as Record<string, Uint8Array>;
    expect(Object.keys(restored).sort()).toEqual(['a.bin', 'b.bin']);
    for (const name of ['a.bin', 'b.bin'] as const)
      expect(Buffer.from(restored[name]!).equals(tree.f[name])).toBe(true);
  });

  it('reports unreadable files and continues', async () => {
    const { repo } = await fresh();
    const events: string[] = [];
    const { snapshot } = await backup(repo, memSource(sample(), { failRead: new Set(['docs/a.txt']) }), {
      onEvent: (e) => e.type === 'warning' && events.push(e.path),
    });
    expect(events).toEqual(['docs/a.txt']);
    expect(snapshot.summary.errors).toBe(1);
    const { root } = memTarget();
    expect(root).toEqual({});
  });

  it('restores a subset with include', async () => {
    const { repo } = await fresh();
    await backup(repo, memSource(sample()));
    const { target, root } = memTarget();
    await restore(repo, 'latest', target, { include: (p) => p.startsWith('docs/nested') });
    expect(Object.keys(root)).toEqual(['docs']);
    expect(Object.keys(root.docs as MemTree)).toEqual(['nested']);
  });

  it('check passes on a healthy repository and names the files a damaged pack affects', async () => {
    const { t, repo } = await fresh();
    const { id } = await backup(repo, memSource(sample()));
    expect((await check(repo, { readData: true })).ok).toBe(true);
    // Flip one byte in every data pack's blob area.
    for await (const o of t.list('data/')) {
      const b = await t.get(o.key);
      b[50] = b[50]! ^ 1;
      await t.put(o.key, b);
    }
    const again = await openRepository(t, { password: 'pw' });
    const report = await check(again, { readData: true });
    expect(report.ok).toBe(false);
    expect(report.affected.length).toBeGreaterThan(0);
    expect(report.affected.every((a) => a.snapshot === id)).toBe(true);
  });

  it('check walks subtrees shared by snapshots once, yet names a damaged file in every snapshot', async () => {
    const { t, repo } = await fresh();
    const data: MemTree = {
      keep: { a: { 'one.txt': text('one\n'.repeat(500)) }, b: { 'two.txt': text('two\n'.repeat(700)) } },
      hit: { 'x.bin': prng(30_000, 9) },
    };
    const first = await backup(repo, memSource(data));
    const second = await backup(repo, memSource(data), { parent: 'latest' }); // same trees
    const third = await backup(repo, memSource({ ...data, extra: { 'new.txt': text('new') } }));
    expect(second.snapshot.tree).toBe(first.snapshot.tree);
    const ids = [first.id, second.id, third.id];
    // Healthy: each distinct tree is loaded once, not once per snapshot.
    const loads: string[] = [];
    const load = repo.blobs.load.bind(repo.blobs);
    repo.blobs.load = (id, signal) => {
      loads.push(Buffer.from(id).toString('hex'));
      return load(id, signal);
    };
    expect((await check(repo)).ok).toBe(true);
    expect(loads.length).toBe(new Set(loads).size);
    repo.blobs.load = load;
    // Remove the pack holding x.bin's first chunk: every snapshot must name the file.
    const node = (await walkAll(repo, first.snapshot.tree)).find((n) => n.path === 'hit/x.bin')!;
    const loc = repo.blobs.index.get(Buffer.from(node.content![0]!, 'hex'))!;
    await t.delete(`data/${Buffer.from(loc.pack).toString('hex')}`);
    const report = await check(await openRepository(t, { password: 'pw' }));
    expect(report.ok).toBe(false);
    for (const id of ids)
      expect(report.affected.some((a) => a.snapshot === id && a.path === 'hit/x.bin')).toBe(true);
  });

  it('restore refuses tampered blobs with INTEGRITY', async () => {
    const { t, repo } = await fresh();
    await backup(repo, memSource({ f: { 'x.bin': prng(40_000, 3) } }));
    for await (const o of t.list('data/')) {
      const b = await t.get(o.key);
      b[10] = b[10]! ^ 1;
      await t.put(o.key, b);
    }
    const again = await openRepository(t, { password: 'pw' });
    const err = await restore(again, 'latest', memTarget().target).catch((e: unknown) => e);
    expect(KluisError.is(err, 'INTEGRITY')).toBe(true);
  });

  it('prune marks unreferenced packs, deletes them after the grace period, keeps the rest', async () => {
    const { t, repo } = await fresh();
    const keep = await backup(repo, memSource({ a: { 'k.bin': prng(30_000, 1) } }));
    const gone = await backup(repo, memSource({ b: { 'g.bin': prng(30_000, 2) } }));
    await repo.snapshots.remove(gone.id);
    const now = new Date('2026-01-01T00:00:00Z');
    const first = await prune(await openRepository(t, { password: 'pw' }), { now });
    expect(first.marked.length).toBeGreaterThan(0);
    expect(first.deleted).toEqual([]);
    const second = await prune(await openRepository(t, { password: 'pw' }), {
      now: new Date(now.getTime() + 25 * 3600_000),
    });
    expect(second.deleted.sort()).toEqual(first.marked.sort());
    const after = await openRepository(t, { password: 'pw' });
    expect((await check(after, { readData: true })).ok).toBe(true);
    const { target, root } = memTarget();
    await restore(after, keep.id, target);
    expect(root).toEqual({ a: { 'k.bin': prng(30_000, 1) } });
  });

  it('a backup does not deduplicate against marked packs, so prune cannot take its blobs', async () => {
    const { t, repo } = await fresh();
    const data = { a: { 'k.bin': prng(30_000, 5) } };
    const s = await backup(repo, memSource(data));
    await repo.snapshots.remove(s.id);
    const now = new Date('2026-01-01T00:00:00Z');
    await prune(await openRepository(t, { password: 'pw' }), { now });
    const again = await backup(await openRepository(t, { password: 'pw' }), memSource(data));
    expect(again.snapshot.summary.blobsNew).toBeGreaterThan(0);
    await prune(await openRepository(t, { password: 'pw' }), {
      now: new Date(now.getTime() + 48 * 3600_000),
    });
    const { target, root } = memTarget();
    await restore(await openRepository(t, { password: 'pw' }), again.id, target);
    expect(root).toEqual(data);
  });
});

async function walkAll(repo: Repository, tree: string) {
  const out: { path: string; content?: string[] }[] = [];
  for await (const { path, node } of walkTree(repo, tree))
    out.push({ path, ...(node.content ? { content: node.content } : {}) });
  return out;
}
