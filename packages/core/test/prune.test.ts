import { describe, expect, it } from 'vitest';
import {
  backup,
  check,
  initRepository,
  KluisError,
  memoryTransport,
  openRepository,
  prune,
  restore,
  type Transport,
} from '../src/index';
import { type MemTree, memSource, memTarget, prng } from './helpers/trees';

const SCRYPT = { N: 1024, r: 8, p: 1 };
const SMALL = { minSize: 1024, avgSize: 4096, maxSize: 16384 };
const HOUR = 3600_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const open = (t: Transport) => openRepository(t, { password: 'pw' });

async function dataBytes(t: Transport): Promise<number> {
  let n = 0;
  for await (const o of t.list('data/')) n += o.size;
  return n;
}

async function keys(t: Transport): Promise<string[]> {
  const out: string[] = [];
  for (const p of ['data/', 'index/', 'snapshots/']) for await (const o of t.list(p)) out.push(o.key);
  return out.sort();
}

/** Two files in the same packs, one snapshot of both, then one of only the first: the second file's share of those packs is unused. */
async function halfUsed(t: Transport = memoryTransport()) {
  await initRepository(t, { password: 'pw', scrypt: SCRYPT, chunker: SMALL, packSize: 1 << 20 });
  const keep: MemTree = { d: { 'keep.bin': prng(150_000, 1) } };
  const both = await backup(
    await open(t),
    memSource({ d: { 'keep.bin': prng(150_000, 1), 'gone.bin': prng(150_000, 2) } }),
  );
  const kept = await backup(await open(t), memSource(keep));
  await (await open(t)).snapshots.remove(both.id);
  return { t, keep, kept: kept.id };
}

describe('repacking prune', () => {
  it('rewrites partly used packs with their live blobs and frees the rest after the grace period', async () => {
    const { t, keep, kept } = await halfUsed();
    const before = await dataBytes(t);
    const first = await prune(await open(t), { now: new Date(T0) });
    expect(first.repacked.length).toBeGreaterThan(0);
    expect(first.written.length).toBeGreaterThan(0);
    expect(first.bytesRepacked).toBeGreaterThan(100_000);
    expect(first.deleted).toEqual([]);
    expect((await check(await open(t), { readData: true })).problems).toEqual([]);

    const second = await prune(await open(t), { now: new Date(T0 + 25 * HOUR) });
    expect(second.deleted.sort()).toEqual([...first.marked].sort());
    const after = await dataBytes(t);
    expect(after).toBeLessThan(before * 0.6);
    expect(second.bytesFreed).toBe(before + (await newBytes(t, first.written)) - after);
    const repo = await open(t);
    expect((await check(repo, { readData: true })).problems).toEqual([]);
    const { target, root } = memTarget();
    await restore(repo, kept, target);
    expect(root).toEqual(keep);
    // Nothing left to do: a third run writes nothing.
    const names = await keys(t);
    const third = await prune(await open(t), { now: new Date(T0 + 50 * HOUR) });
    expect(third.marked).toEqual([]);
    expect(await keys(t)).toEqual(names);
  });

  it('--dry-run reports what would be freed and changes nothing', async () => {
    const { t } = await halfUsed();
    const names = await keys(t);
    const r = await prune(await open(t), { dryRun: true, now: new Date(T0) });
    expect(r.dryRun).toBe(true);
    expect(r.repacked.length).toBeGreaterThan(0);
    expect(r.bytesPending).toBeGreaterThan(100_000);
    expect(await keys(t)).toEqual(names);
  });

  it('maxUnused 1 never repacks; maxRepackBytes bounds the packs one run rewrites', async () => {
    const { t } = await halfUsed();
    expect((await prune(await open(t), { dryRun: true, maxUnused: 1 })).repacked).toEqual([]);
    expect((await prune(await open(t), { dryRun: true, maxRepackBytes: 1000 })).repacked).toEqual([]);
    const all = await prune(await open(t), { dryRun: true });
    expect(all.repacked.length).toBeGreaterThan(0);
  });
});

/** A transport whose deletes of keys that `refuse` accepts fail as a server's 403 does. */
function refusing(t: Transport, refuse: (key: string) => boolean): Transport {
  return {
    name: t.name,
    capabilities: t.capabilities,
    stat: (k, o) => t.stat(k, o),
    get: (k, o) => t.get(k, o),
    list: (p, o) => t.list(p, o),
    put: (k, b, o) => t.put(k, b, o),
    async delete(k, o) {
      if (refuse(k))
        throw new KluisError('AUTH', `DELETE ${k}: 403 forbidden: check the credentials and rights`);
      return t.delete(k, o);
    },
  };
}

describe('prune with a credential that may not delete', () => {
  it('fails with AUTH before writing anything: no index, no repacked pack is left behind', async () => {
    const { t } = await halfUsed();
    const names = await keys(t);
    for (let i = 0; i < 2; i++) {
      const err = await prune(await open(refusing(t, () => true)), { now: new Date(T0) }).catch(
        (e: unknown) => e,
      );
      expect(KluisError.is(err, 'AUTH')).toBe(true);
      expect((err as Error).message).toMatch(/nothing was changed/);
      expect(await keys(t)).toEqual(names);
    }
  });

  it('reports packs a retention lock keeps, leaves them marked, and deletes them once allowed', async () => {
    const { t } = await halfUsed();
    const first = await prune(await open(t), { now: new Date(T0) });
    const locked = refusing(t, (k) => k.startsWith('data/'));
    const held = await prune(await open(locked), { now: new Date(T0 + 25 * HOUR) });
    expect(held.refused.sort()).toEqual(first.marked.map((k) => `data/${k}`).sort());
    expect(held.deleted).toEqual([]);
    expect(held.bytesFreed).toBe(0);
    const later = await prune(await open(t), { now: new Date(T0 + 26 * HOUR) });
    expect(later.deleted.sort()).toEqual([...first.marked].sort());
    expect((await check(await open(t), { readData: true })).problems).toEqual([]);
  });
});

describe('superseded index files that could not be deleted', () => {
  it('stay superseded by every later consolidated index, never come back to life', async () => {
    const { t, keep, kept } = await halfUsed();
    const stored = new Set<string>();
    const locked = refusing(t, (k) => k.startsWith('index/') && stored.has(k));
    for await (const o of t.list('index/')) stored.add(o.key);
    const first = await prune(await open(locked), { now: new Date(T0) });
    expect(first.refused.length).toBe(stored.size);
    for (let run = 1; run <= 3; run++) {
      await prune(await open(t), { now: new Date(T0 + run * 25 * HOUR) });
      const repo = await open(t);
      expect((await check(repo, { readData: true })).problems, `after prune ${run}`).toEqual([]);
      const { target, root } = memTarget();
      await restore(repo, kept, target);
      expect(root).toEqual(keep);
    }
    for (const k of stored) expect(await t.stat(k)).toBeUndefined();
  });
});

async function newBytes(t: Transport, packs: string[]): Promise<number> {
  let n = 0;
  for (const p of packs) n += (await t.stat(`data/${p}`))?.size ?? 0;
  return n;
}
