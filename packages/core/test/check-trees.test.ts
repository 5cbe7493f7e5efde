import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTree, toHex } from '../src/format/index';
import {
  backup,
  check,
  initRepository,
  KluisError,
  openRepository,
  type Repository,
  restore,
  type Snapshot,
  type TreeNode,
  walkTree,
} from '../src/index';
import { nativeCrypto, nodeDeflateRaw } from '../src/node/index';
import { localTransport } from '../src/node/local-transport';
import { memSource, memTarget, prng } from './helpers/trees';

let dir: string;
let repo: Repository;
let base: Snapshot;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-trees-'));
  const init = await initRepository(localTransport({ root: join(dir, 'repo') }), {
    password: 'pw',
    scrypt: { N: 1024, r: 8, p: 1 },
    crypto: nativeCrypto,
    codec: nodeDeflateRaw,
  });
  base = (await backup(init, memSource({ a: prng(31, 1) }))).snapshot;
  await init.close();
});
afterAll(async () => {
  await repo?.close();
  await rm(dir, { recursive: true, force: true });
});

const reopen = async () => {
  await repo?.close();
  repo = await openRepository(localTransport({ root: join(dir, 'repo') }), {
    password: 'pw',
    crypto: nativeCrypto,
    codec: nodeDeflateRaw,
  });
  return repo;
};

const file = (name: string, size: number, content: string[]): TreeNode => ({
  name,
  type: 'file',
  mode: 0o644,
  mtime: 0,
  size,
  content,
});
const dirNode = (name: string, subtree: string): TreeNode => ({
  name,
  type: 'dir',
  mode: 0o755,
  mtime: 0,
  size: 0,
  subtree,
});

/** Saves trees (each a list of nodes, children first) and a snapshot of the last one; returns its ID. */
async function snapshotOf(
  r: Repository,
  build: (save: (nodes: TreeNode[]) => Promise<string>) => Promise<string>,
) {
  const save = async (nodes: TreeNode[]) => toHex((await r.blobs.save('tree', encodeTree(nodes))).id);
  const tree = await build(save);
  await r.blobs.flush();
  return r.snapshots.save({ ...base, tree });
}

const dataBlob = async (r: Repository, bytes: Uint8Array) => toHex((await r.blobs.save('data', bytes)).id);

describe('trees are checked against what they point at', () => {
  it('a file naming a tree blob, or whose blobs do not add up to its size: check reports, restore refuses', async () => {
    const r = await reopen();
    await r.blobs.loadIndex();
    const blob31 = await dataBlob(r, prng(31, 7));
    const cases: [string, (save: (n: TreeNode[]) => Promise<string>) => Promise<TreeNode>, RegExp][] = [
      [
        'names a tree',
        async (save) => {
          const nodes = [file('x', 31, [blob31])];
          return file('f', encodeTree(nodes).length, [await save(nodes)]);
        },
        /f: its content names tree blob/,
      ],
      [
        'size 1, 31 bytes',
        async () => file('f', 1, [blob31]),
        /f: .*size as 1 bytes but its content holds 31/,
      ],
      [
        'size 2^40, empty',
        async () => file('f', 2 ** 40, []),
        /size as 1099511627776 bytes but its content holds 0/,
      ],
      [
        'size 2^53-1, empty',
        async () => file('f', Number.MAX_SAFE_INTEGER, []),
        /claims more than 2\^50|claims more than 1125899906842624 bytes/,
      ],
    ];
    for (const [what, node, message] of cases) {
      const id = await snapshotOf(r, async (save) => save([dirNode('d', await save([await node(save)]))]));
      const fresh = await reopen();
      const report = await check(fresh);
      const mine = report.affected.filter((a) => a.snapshot === id);
      expect(mine, what).toEqual([{ snapshot: id, path: 'd/f' }]);
      expect(
        report.problems.some((p) => p.kind === 'tree' && p.message.includes('file d/f')),
        what,
      ).toBe(true);
      const err = await restore(fresh, id, memTarget().target).catch((e: unknown) => e);
      expect(KluisError.is(err, 'INVALID_DATA'), what).toBe(true);
      expect((err as Error).message, what).toMatch(message);
      await fresh.snapshots.remove(id);
    }
    expect((await check(await reopen())).ok).toBe(true);
  });

  it('a tree 5,000 levels deep checks, lists and restores without running out of stack', async () => {
    const r = await reopen();
    await r.blobs.loadIndex();
    const leaf = await dataBlob(r, prng(31, 1));
    const id = await snapshotOf(r, async (save) => {
      let t = await save([file('end', 31, [leaf])]);
      for (let i = 0; i < 5000; i++) t = await save([dirNode('d', t)]);
      return t;
    });
    const fresh = await reopen();
    const report = await check(fresh);
    expect(report.problems).toEqual([]);
    let deepest = 0;
    for await (const { path } of walkTree(fresh, (await fresh.snapshots.load(id)).snapshot.tree))
      deepest = Math.max(deepest, path.split('/').length);
    expect(deepest).toBe(5001);
    const mem = memTarget();
    expect((await restore(fresh, id, mem.target)).files).toBe(1);
    await fresh.snapshots.remove(id);
  });

  it('a 40-level doubling tree (2^40 files): check walks each tree once and reports the claim, restore refuses before writing', async () => {
    const r = await reopen();
    await r.blobs.loadIndex();
    const leaf = await dataBlob(r, prng(31, 1));
    const id = await snapshotOf(r, async (save) => {
      let t = await save([file('f', 31, [leaf])]);
      for (let i = 0; i < 40; i++) t = await save([dirNode('a', t), dirNode('b', t)]);
      return t;
    });
    const fresh = await reopen();
    const report = await check(fresh);
    expect(report.problems).toEqual([
      {
        kind: 'tree',
        object: expect.any(String),
        message: expect.stringContaining(
          `snapshot ${id} claims 3298534883326 entries and 34084860461056 bytes`,
        ),
      },
    ]);
    const mem = memTarget();
    const err = await restore(fresh, id, mem.target).catch((e: unknown) => e);
    expect(KluisError.is(err, 'INVALID_DATA')).toBe(true);
    expect((err as Error).message).toMatch(/claims more than 1073741824 entries/);
    expect(mem.root).toEqual({});
    // The bound is an option: the same snapshot under a small bound, and a real one within it.
    await expect(restore(fresh, id, memTarget().target, { maxEntries: 1000 })).rejects.toThrow(
      /1000 entries/,
    );
    await expect(restore(fresh, id, memTarget().target, { maxBytes: 1000 })).rejects.toThrow(/1000 bytes/);
    await fresh.snapshots.remove(id);
  });
});
