import { describe, expect, it } from 'vitest';
import {
  backup,
  initRepository,
  memoryTransport,
  type RestoreTarget,
  restore,
  withMetrics,
} from '../src/index';
import { nodeDeflateRaw } from '../src/node/index';
import { type MemTree, memSource, memTarget, prng } from './helpers/trees';

const SCRYPT = { N: 1024, r: 8, p: 1 };
const SMALL = { minSize: 1024, avgSize: 4096, maxSize: 16384 };

async function stored(tree: MemTree, t = memoryTransport()) {
  // A synchronous codec keeps the backup's pack layout the same on every run (the web codec
  // finishes on other threads, in varying order), so request counts below are exact properties.
  const repo = await initRepository(t, {
    password: 'pw',
    scrypt: SCRYPT,
    chunker: SMALL,
    packSize: 1 << 16,
    codec: nodeDeflateRaw,
  });
  await backup(repo, memSource(tree));
  return repo;
}

/** A deep, wide tree: `width` directories per level, `depth` levels, two files in each directory. */
function deepTree(depth: number, width: number, seed = 1): MemTree {
  const t: MemTree = {
    'a.bin': prng(3000 + seed * 17, seed),
    'b.txt': new TextEncoder().encode(`file ${seed}`),
  };
  if (depth > 0) for (let i = 0; i < width; i++) t[`d${i}`] = deepTree(depth - 1, width, seed * 7 + i + 1);
  return t;
}

/** Wraps memTarget: yields to the event loop inside every call, and logs the order of events. */
function recordingTarget() {
  const mem = memTarget();
  const log: string[] = [];
  const turn = () => new Promise<void>((r) => setImmediate(r));
  const target: RestoreTarget = {
    ...mem.target,
    async file(path, node, chunks) {
      await turn();
      await mem.target.file(path, node, chunks);
      log.push(`file ${path.join('/')}`);
    },
    async finishDir(path) {
      await turn();
      log.push(`finish ${path.join('/')}`);
    },
  };
  return { ...mem, target, log };
}

describe('restore', () => {
  it('applies a directory’s metadata only after everything below it, with many reads in flight', async () => {
    const tree = deepTree(3, 3);
    const repo = await stored(tree);
    const { target, root, log } = recordingTarget();
    const r = await restore(repo, 'latest', target, { concurrency: 8 });
    expect(root).toEqual(tree);
    const finished = log.filter((l) => l.startsWith('finish ')).map((l) => l.slice(7));
    expect(finished.length).toBe(r.dirs);
    expect(new Set(finished).size).toBe(finished.length);
    for (const [i, line] of log.entries()) {
      const path = line.slice(line.indexOf(' ') + 1);
      // Every ancestor is finished after this entry.
      for (let k = path.indexOf('/'); k > 0; k = path.indexOf('/', k + 1)) {
        expect(log.indexOf(`finish ${path.slice(0, k)}`)).toBeGreaterThan(i);
      }
    }
  });

  it('include restores matching entries and their parents, and finishes only restored directories', async () => {
    const tree = deepTree(2, 3);
    const repo = await stored(tree);
    const { target, root, log } = recordingTarget();
    const include = (p: string) => p === 'd1/d2/a.bin' || p.startsWith('d2/d0');
    // d2/d0 matches as a directory: it and everything below it are restored.
    const r = await restore(repo, 'latest', target, { include, concurrency: 3 });
    const d1 = tree.d1 as MemTree;
    expect(root).toEqual({
      d1: { d2: { 'a.bin': (d1.d2 as MemTree)['a.bin'] } },
      d2: { d0: (tree.d2 as MemTree).d0 },
    });
    expect(r.files).toBe(3);
    const finished = log.filter((l) => l.startsWith('finish ')).map((l) => l.slice(7));
    expect(finished.sort()).toEqual(['d1', 'd1/d2', 'd2', 'd2/d0']);
  });

  it('reads each tree once: the walk takes the trees measureTree read, and identical subtrees again', async () => {
    // Two identical directories: one tree blob listed twice.
    const same = deepTree(2, 2, 5);
    const tree: MemTree = { d: deepTree(3, 3), x: same, y: same };
    const repo = await stored(tree);
    const loads = new Map<string, number>();
    const loadTree = repo.blobs.loadTree.bind(repo.blobs);
    repo.blobs.loadTree = (id, signal) => {
      loads.set(id, (loads.get(id) ?? 0) + 1);
      return loadTree(id, signal);
    };
    const { target, root } = memTarget();
    await restore(repo, 'latest', target);
    expect(root).toEqual(tree);
    const trees = [...repo.blobs.index.entries()].filter((e) => e.type === 'tree').length;
    expect(loads.size).toBe(trees);
    // The trees below the shared one: once to measure (and keep), once more under its second
    // listing. (The shared tree itself is listed twice in one directory: one read serves both.)
    const twice = [...loads.values()].filter((n) => n === 2).length;
    expect(twice).toBe(2 + 4);
    expect([...loads.values()].every((n) => n <= 2)).toBe(true);
  });

  it('reads neighbouring small files with few requests', async () => {
    const metered = withMetrics(memoryTransport());
    const tree = deepTree(2, 4);
    const repo = await stored(tree, metered.transport);
    metered.reset();
    const { target, root } = memTarget();
    const r = await restore(repo, 'latest', target);
    expect(root).toEqual(tree);
    // 21 trees and 42 files: the snapshot, a window of the tree pack, and a few regions of data packs.
    expect(r.files).toBe(42);
    expect(metered.metrics().ops.get.calls).toBeLessThanOrEqual(6);
  });

  it('bounds the reads in flight: the walk pauses while writes are blocked', async () => {
    // Files of 50 kB with 64 kB packs: no two files share a read.
    const tree: MemTree = {};
    for (let i = 0; i < 30; i++) tree[`d${String(i).padStart(2, '0')}`] = { f: prng(50_000, 10 + i) };
    const repo = await stored(tree);
    const mem = memTarget();
    let open = 0;
    let most = 0;
    let dirs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let blocked!: () => void;
    const twoBlocked = new Promise<void>((r) => {
      blocked = r;
    });
    const target: RestoreTarget = {
      ...mem.target,
      async dir(path, node) {
        dirs++;
        await mem.target.dir(path, node);
      },
      async file(path, node, chunks) {
        most = Math.max(most, ++open);
        if (open === 2) blocked();
        await gate;
        await mem.target.file(path, node, chunks);
        open--;
      },
    };
    const done = restore(repo, 'latest', target, { concurrency: 2 });
    await twoBlocked;
    for (let i = 0; i < 200; i++) await new Promise<void>((r) => setImmediate(r));
    expect(dirs).toBeLessThan(12);
    release();
    await done;
    // Two reads in flight, each writing up to four of its files at once.
    expect(most).toBeGreaterThanOrEqual(2);
    expect(most).toBeLessThanOrEqual(8);
    expect(mem.root).toEqual(tree);
  });

  it('stops on the first failed write and rejects with it', async () => {
    const repo = await stored(deepTree(2, 3));
    const mem = memTarget();
    let writes = 0;
    const target: RestoreTarget = {
      ...mem.target,
      async file(path, node, chunks) {
        if (++writes === 5) throw new Error('disk full');
        await mem.target.file(path, node, chunks);
      },
    };
    await expect(restore(repo, 'latest', target, { concurrency: 4 })).rejects.toThrow('disk full');
    expect(writes).toBeLessThan(26);
  });

  it('rejects (and does not hang) when a write fails while subtrees are still being prefetched', async () => {
    const tree: MemTree = {};
    for (let i = 0; i < 40; i++) tree[`d${i}`] = { sub: { f: prng(100, i) } };
    const repo = await stored(tree);
    const mem = memTarget();
    const target: RestoreTarget = {
      ...mem.target,
      async file() {
        throw new Error('disk full');
      },
    };
    await expect(restore(repo, 'latest', target, { concurrency: 1 })).rejects.toThrow('disk full');
  });

  it('aborts through the signal', async () => {
    const repo = await stored(deepTree(2, 3));
    const ac = new AbortController();
    const mem = memTarget();
    let writes = 0;
    const target: RestoreTarget = {
      ...mem.target,
      async file(path, node, chunks) {
        if (++writes === 3) ac.abort();
        await mem.target.file(path, node, chunks);
      },
    };
    await expect(restore(repo, 'latest', target, { signal: ac.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });
});
