import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { portableCrypto } from '../src/crypto/index';
import { BlobIndex } from '../src/format/index';
import {
  type BackupSource,
  backup,
  initRepository,
  memoryTransport,
  openRepository,
  restore,
  withMetrics,
} from '../src/index';
import { fsSource } from '../src/node/index';
import { type MemTree, memSource, memTarget, prng } from './helpers/trees';

const SCRYPT = { N: 1024, r: 8, p: 1 };
const SMALL = { minSize: 1024, avgSize: 4096, maxSize: 16384 };

/** Wraps a source so every read waits until `want` reads are open at once (or every file has started). */
function gatedSource(inner: BackupSource, files: number, want: number) {
  let open = 0;
  let started = 0;
  let most = 0;
  const waiting: (() => void)[] = [];
  const source: BackupSource = {
    paths: inner.paths,
    roots: (s) => inner.roots(s),
    list: (p, s) => inner.list(p, s),
    async *read(path, signal) {
      open++;
      started++;
      most = Math.max(most, open);
      if (open >= want || started === files) for (const w of waiting.splice(0)) w();
      else await new Promise<void>((r) => waiting.push(r));
      try {
        yield* inner.read(path, signal);
      } finally {
        open--;
      }
    },
  };
  return { source, most: () => most };
}

describe('backup walk', () => {
  it('reads files of different directories at the same time (no drain at directory boundaries)', async () => {
    // 12 directories of one file each: a walk that finished each directory before the next would
    // never have two reads open, and this source would wait forever.
    const tree: MemTree = { root: {} };
    for (let i = 0; i < 12; i++) (tree.root as MemTree)[`d${i}`] = { [`f${i}`]: prng(3000 + i, i) };
    const repo = await initRepository(memoryTransport(), { password: 'pw', scrypt: SCRYPT, chunker: SMALL });
    const gated = gatedSource(memSource(tree), 12, 4);
    await backup(repo, gated.source, { fileConcurrency: 4 });
    expect(gated.most()).toBe(4);
    const { target, root } = memTarget();
    await restore(repo, 'latest', target);
    expect(root).toEqual(tree);
  });

  it('a failure in one file fails the backup once nothing is still running', async () => {
    const tree: MemTree = { a: { x: prng(90_000, 1), y: prng(90_000, 2) }, b: { z: prng(90_000, 3) } };
    let puts = 0;
    const base = memoryTransport();
    const failing = {
      ...base,
      put: async (k: string, body: Uint8Array, o?: { ifAbsent?: boolean }) => {
        if (k.startsWith('data/') && ++puts === 1) throw new Error('disk full');
        return base.put(k, body, o);
      },
    };
    const repo = await initRepository(failing, {
      password: 'pw',
      scrypt: SCRYPT,
      chunker: SMALL,
      packSize: 1 << 16,
    });
    await expect(backup(repo, memSource(tree))).rejects.toThrow('disk full');
    // Nothing scheduled by the walk is still storing blobs after the backup settled.
    const after = puts;
    await new Promise((r) => setImmediate(r));
    expect(puts).toBe(after);
  });

  it('an incremental backup reads each pack of trees once, not one read per directory', async () => {
    const tree: MemTree = {};
    for (let i = 0; i < 40; i++) tree[`dir${i}`] = { sub: { [`f${i}`]: prng(500, i) } };
    const metered = withMetrics(memoryTransport());
    const repo = await initRepository(metered.transport, { password: 'pw', scrypt: SCRYPT, chunker: SMALL });
    await backup(repo, memSource(tree), { host: 'h' });
    const again = await openRepository(metered.transport, { password: 'pw' });
    metered.reset();
    const second = await backup(again, memSource(tree), { host: 'h', parent: 'latest' });
    expect(second.snapshot.summary.filesUnchanged).toBe(40);
    // index file, snapshot, one span of the tree pack: far fewer than the 81 trees walked.
    expect(metered.metrics().ops.get.calls).toBeLessThanOrEqual(4);
  });
});

describe('unchanged directories', () => {
  it('keep their parent tree IDs without hashing them again; a change re-hashes only its path', async () => {
    const tree: MemTree = {};
    for (let i = 0; i < 6; i++)
      tree[`d${i}`] = { sub: { [`f${i}`]: prng(2000, i) }, [`g${i}`]: prng(300, 50 + i) };
    const t = memoryTransport();
    await initRepository(t, { password: 'pw', scrypt: SCRYPT, chunker: SMALL });
    let hashed = 0;
    const crypto = {
      ...portableCrypto,
      hmacSha256: (key: Uint8Array, data: Uint8Array) => {
        hashed++;
        return portableCrypto.hmacSha256(key, data);
      },
    };
    const repo = await openRepository(t, { password: 'pw', crypto });
    const first = await backup(repo, memSource(tree), { host: 'h' });
    hashed = 0;
    const same = await backup(repo, memSource(tree), { host: 'h', parent: 'latest' });
    expect(same.snapshot.tree).toBe(first.snapshot.tree);
    // The 13 parent trees are verified as they load (their IDs are checked); none is encoded and
    // hashed again to be saved (that was 13 more), and no file is read.
    expect(hashed).toBe(13);
    // One changed file: its chunks plus the trees on its path (sub, d2, root) are hashed.
    const changed: MemTree = { ...tree, d2: { ...(tree.d2 as MemTree), sub: { f2: prng(2100, 99) } } }; // a new size: seen as changed
    hashed = 0;
    const third = await backup(repo, memSource(changed), { host: 'h', parent: 'latest' });
    expect(third.snapshot.tree).not.toBe(first.snapshot.tree);
    expect(third.snapshot.summary.filesChanged).toBe(1);
    const chunks = hashed - 13 - 3;
    expect(chunks).toBeGreaterThanOrEqual(1);
    expect(chunks).toBeLessThanOrEqual(3);
    const { target, root } = memTarget();
    await restore(repo, 'latest', target);
    expect(root).toEqual(changed);
  });
});

describe('BlobIndex.addPack', () => {
  const id = fc.uint8Array({ minLength: 32, maxLength: 32 });
  it('behaves like adding each blob in turn: the first location of an ID wins', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            bulk: fc.boolean(),
            pack: fc.constantFrom(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)),
            blobs: fc.array(
              fc.record({ id: fc.oneof(id, fc.constant(new Uint8Array(32))), offset: fc.nat() }),
              {
                maxLength: 20,
              },
            ),
          }),
          { maxLength: 12 },
        ),
        (batches) => {
          const bulk = new BlobIndex();
          const model = new Map<string, { offset: number; pack: number }>();
          for (const b of batches) {
            const entries = b.blobs.map((x) => ({
              id: x.id,
              type: 'data' as const,
              offset: x.offset,
              length: 10,
              rawLength: 9,
              codec: 0,
            }));
            if (b.bulk) bulk.addPack(b.pack, entries);
            else for (const e of entries) bulk.add({ ...e, pack: b.pack });
            for (const e of entries) {
              const k = Buffer.from(e.id).toString('hex');
              if (!model.has(k)) model.set(k, { offset: e.offset, pack: b.pack[0]! });
            }
          }
          expect(bulk.size).toBe(model.size);
          for (const [k, v] of model) {
            const loc = bulk.get(Buffer.from(k, 'hex'));
            expect(loc?.offset).toBe(v.offset);
            expect(loc?.pack[0]).toBe(v.pack);
          }
          expect([...bulk.entries()].length).toBe(model.size);
        },
      ),
    );
  });
});

describe('fsSource reads', () => {
  it('reads small and large files whole, and does not hang on a file swapped for a FIFO', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kluis-src-'));
    try {
      const big = prng(3_500_000, 5); // several reads: the first synchronous, the rest not
      await writeFile(join(dir, 'big'), big);
      await writeFile(join(dir, 'small'), 'tiny');
      execFileSync('mkfifo', [join(dir, 'fifo')]);
      const src = fsSource([dir]);
      const name = (await src.roots())[0]!.name;
      expect((await src.list([name])).map((e) => e.name)).toEqual(['big', 'small']); // the FIFO is not listed
      const collect = async (n: string) => {
        const parts: Uint8Array[] = [];
        for await (const b of src.read([name, n])) parts.push(b.slice());
        return Buffer.concat(parts);
      };
      expect(Buffer.compare(await collect('big'), big)).toBe(0);
      expect((await collect('small')).toString()).toBe('tiny');
      // As if `fifo` had been a regular file when listed: no writer ever comes, yet reading it
      // ends at once (empty, or an EAGAIN error) instead of waiting forever.
      const fifo = await collect('fifo').catch((e: Error) => e);
      expect(fifo instanceof Error ? fifo.message : fifo.length).toSatisfy(
        (v: unknown) => v === 0 || /EAGAIN/.test(String(v)),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prefetch lists ahead what list would return, serves each listing once, and stops when told', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kluis-src-'));
    try {
      for (const d of ['a', 'a/x', 'a/x/deep', 'b', 'c']) await mkdir(join(dir, d));
      for (const f of ['a/1', 'a/x/2', 'a/x/deep/3', 'b/4', 'top']) await writeFile(join(dir, f), f);
      const plain = fsSource([dir]);
      const name = (await plain.roots())[0]!.name;
      const walk = async (src: typeof plain, path: string[]): Promise<string[]> => {
        const out: string[] = [];
        for (const e of await src.list(path)) {
          out.push([...path, e.name].join('/'));
          if (e.type === 'dir') out.push(...(await walk(src, [...path, e.name])));
        }
        return out;
      };
      const expected = await walk(plain, [name]);
      const ahead = fsSource([dir]);
      await ahead.prefetch(new Promise(() => {})); // never settles: lists everything
      // Changes made after the prefetch are not seen by listings served from it...
      await writeFile(join(dir, 'a', 'late'), 'x');
      expect(await walk(ahead, [name])).toEqual(expected);
      // ...and each listing is served once: the next walk lists the disk again.
      expect(await walk(ahead, [name])).toContain(`${name}/a/late`);
      // A settled promise stops the prefetch before it lists anything.
      const stopped = fsSource([dir]);
      await stopped.prefetch(Promise.resolve());
      await writeFile(join(dir, 'b', 'later'), 'y');
      expect(await walk(stopped, [name])).toContain(`${name}/b/later`);
      // maxEntries bounds what is held: with 1, only the root directory is listed ahead.
      const small = fsSource([dir]);
      await small.prefetch(new Promise(() => {}), 1);
      await writeFile(join(dir, 'c', 'new'), 'z');
      expect(await walk(small, [name])).toContain(`${name}/c/new`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
