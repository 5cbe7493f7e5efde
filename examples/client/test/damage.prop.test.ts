// Damage to every kind of stored object, and what every command answers: a defined exit code and
// one-line messages, never a stack trace or an unhandled rejection.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRepository, type Repository, type TreeNode } from '@kluis/core';
import { decodeTree, encodeTree, fromHex, toHex } from '@kluis/core/format';
import { localTransport } from '@kluis/core/node';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKluis } from './_run.ts';

let dir: string;
let pristine: string;
let src: string;
let first: string;
let second: string;
/** Stored objects of the pristine repository by kind. */
const objects: Record<'config' | 'keys' | 'index' | 'snapshots' | 'data' | 'tree', string[]> = {
  config: ['config'],
  keys: [],
  index: [],
  snapshots: [],
  data: [],
  tree: [],
};
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
/** Figures for docs/reliability.md, written to KLUIS_FUZZ_REPORT when set. */
const figures = {
  mutations: 0,
  commandRuns: 0,
  detected: 0,
  undetected: [] as string[],
  exits: {} as Record<string, number>,
  /** Per object kind (or lie): mutations tried and how many `check --read-data` detected. */
  byKind: {} as Record<string, { mutations: number; detected: number }>,
};

function tally(kind: string, detected: boolean, what: string): void {
  figures.byKind[kind] ??= { mutations: 0, detected: 0 };
  const k = figures.byKind[kind];
  k.mutations++;
  if (detected) {
    k.detected++;
    figures.detected++;
  } else figures.undetected.push(what);
}

// Each damaged copy gets a cache of its own: the copies share the pristine repository's ID, and a
// cache warmed by an earlier copy would (rightly) serve the intact objects it verified then.
const env = (repo: string) => ({
  KLUIS_REPOSITORY: repo,
  KLUIS_PASSWORD: 'secret',
  KLUIS_CACHE_DIR: `${repo}.cache`,
});

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  dir = await mkdtemp(join(tmpdir(), 'kluis-damage-'));
  pristine = join(dir, 'pristine');
  src = join(dir, 'src');
  await mkdir(join(src, 'sub'), { recursive: true });
  await writeFile(join(src, 'a.txt'), 'alpha\n'.repeat(2000));
  await writeFile(
    join(src, 'sub', 'b.bin'),
    Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 251)),
  );
  const run = (args: string[]) => runKluis(args, env(pristine));
  expect((await run(['init', '--scrypt-n', '1024'])).code).toBe(0);
  first = JSON.parse((await run(['backup', src, '--json'])).out).id;
  await writeFile(join(src, 'sub', 'c.txt'), 'gamma');
  second = JSON.parse((await run(['backup', src, '--json'])).out).id;
  for (const kind of ['keys', 'index', 'snapshots'] as const)
    objects[kind] = (await readdir(join(pristine, kind))).map((n) => `${kind}/${n}`);
  const repo = await openPristine(pristine);
  await repo.blobs.loadIndex();
  const treePacks = new Set<string>();
  for (const b of repo.blobs.index.entries()) if (b.type === 'tree') treePacks.add(toHex(b.pack));
  await repo.close();
  for (const sub of await readdir(join(pristine, 'data'), { recursive: true })) {
    const name = sub.split('/').at(-1)!;
    if (!/^[0-9a-f]{64}$/.test(name)) continue;
    objects[treePacks.has(name) ? 'tree' : 'data'].push(`data/${sub}`);
  }
  expect(objects.data.length).toBeGreaterThan(0);
  expect(objects.tree.length).toBeGreaterThan(0);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  if (process.env.KLUIS_FUZZ_REPORT)
    await writeFile(process.env.KLUIS_FUZZ_REPORT, JSON.stringify(figures, null, 2));
  await rm(dir, { recursive: true, force: true });
});

function openPristine(root: string): Promise<Repository> {
  return openRepository(localTransport({ root }), { password: 'secret' });
}

/** A change to the bytes of one stored file, made without the key. */
type ByteMutation =
  | { op: 'truncate'; at: number }
  | { op: 'extend'; bytes: Uint8Array }
  | { op: 'zero'; at: number; length: number }
  | { op: 'random'; at: number; bytes: Uint8Array }
  | { op: 'flip'; at: number; bit: number }
  | { op: 'length'; value: number };

const at = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const absurd = fc.oneof(
  fc.constantFrom(0, 1, 0xffffffff, 0x7fffffff, 0x80000000),
  fc.nat({ max: 0xffffffff }),
);
const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at }),
  fc.record({ op: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ op: fc.constant('zero' as const), at, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({
    op: fc.constant('random' as const),
    at,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }),
  }),
  fc.record({ op: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('length' as const), value: absurd }),
);

/** Applies a byte mutation; `length` sets a pack's trailing header length, or the first number in a JSON file. */
function mutateBytes(b: Buffer, m: ByteMutation): Buffer {
  const pos = (x: number) => Math.floor(x * b.length);
  switch (m.op) {
    case 'truncate':
      return b.subarray(0, pos(m.at));
    case 'extend':
      return Buffer.concat([b, m.bytes]);
    case 'zero': {
      const c = Buffer.from(b);
      c.fill(0, pos(m.at), Math.min(c.length, pos(m.at) + m.length));
      return c;
    }
    case 'random': {
      const c = Buffer.from(b);
      c.set(m.bytes.subarray(0, c.length - pos(m.at)), pos(m.at));
      return c;
    }
    case 'flip': {
      const c = Buffer.from(b);
      c[pos(m.at)]! ^= 1 << m.bit;
      return c;
    }
    case 'length': {
      if (b[0] === 0x7b)
        return Buffer.from(b.toString('utf8').replace(/\d+/, `${m.value}${'9'.repeat(m.value % 400)}`));
      const c = Buffer.from(b);
      if (c.length >= 4) c.writeUInt32LE(m.value, c.length - 4);
      return c;
    }
  }
}

/** A change made with the key: an authenticated index entry or tree that lies. */
type SealedMutation =
  | {
      op: 'index-field';
      field: 'offset' | 'length' | 'rawLength' | 'codec' | 'type';
      value: number;
      pick: number;
    }
  | {
      op: 'tree-node';
      change: 'size' | 'content-tree' | 'content-unknown' | 'subtree-data' | 'doubling';
      value: number;
      pick: number;
    };

const sealedMutation: fc.Arbitrary<SealedMutation> = fc.oneof(
  fc.record({
    op: fc.constant('index-field' as const),
    field: fc.constantFrom(
      'offset' as const,
      'length' as const,
      'rawLength' as const,
      'codec' as const,
      'type' as const,
    ),
    value: absurd,
    pick: fc.nat(),
  }),
  fc.record({
    op: fc.constant('tree-node' as const),
    change: fc.constantFrom(
      'size' as const,
      'content-tree' as const,
      'content-unknown' as const,
      'subtree-data' as const,
      'doubling' as const,
    ),
    value: fc.oneof(absurd, fc.constant(Number.MAX_SAFE_INTEGER)),
    pick: fc.nat(),
  }),
);

/** Rewrites the repository at `root` with one lying index entry or tree (replacing the latest snapshot). */
async function mutateSealed(root: string, m: SealedMutation): Promise<string> {
  const repo = await openPristine(root);
  try {
    await repo.blobs.loadIndex();
    if (m.op === 'index-field') {
      const [name] = await readdir(join(root, 'index'));
      const file = await repo.blobs.readIndexFile(name!);
      const all = file.packs.flatMap((p) => p.blobs);
      const target = all[m.pick % all.length]!;
      const value =
        m.field === 'type'
          ? target.type === 'data'
            ? 'tree'
            : 'data'
          : m.field === 'codec'
            ? m.value & 0x7f
            : m.value;
      if ((target as Record<string, unknown>)[m.field] === value) return 'unchanged';
      Object.assign(target, { [m.field]: value });
      for (const n of await readdir(join(root, 'index'))) await repo.transport.delete(`index/${n}`);
      await repo.blobs.writeIndexFile(file);
      return `index entry ${m.field} = ${value}`;
    }
    const { snapshot } = await repo.snapshots.load(second);
    const save = async (nodes: TreeNode[]) => toHex((await repo.blobs.save('tree', encodeTree(nodes))).id);
    const load = async (id: string) => decodeTree(await repo.blobs.load(fromHex(id)));
    const rootNodes = await load(snapshot.tree);
    const subDir = rootNodes.find((n) => n.type === 'dir')!;
    const sub = await load(subDir.subtree!);
    const files = sub.filter((n) => n.type === 'file');
    const f = files[m.pick % files.length]!;
    const dataBlob = [...repo.blobs.index.entries()].find((b) => b.type === 'data')!;
    let changed: TreeNode[];
    if (m.change === 'size') changed = sub.map((n) => (n === f ? { ...n, size: m.value } : n));
    else if (m.change === 'content-tree')
      changed = sub.map((n) => (n === f ? { ...n, content: [snapshot.tree] } : n));
    else if (m.change === 'content-unknown')
      changed = sub.map((n) => (n === f ? { ...n, content: ['0'.repeat(63) + (m.value % 10)] } : n));
    else if (m.change === 'subtree-data')
      changed = [
        ...sub,
        { name: 'zz', type: 'dir', mode: 0o755, mtime: 0, size: 0, subtree: toHex(dataBlob.id) },
      ];
    else {
      let t = subDir.subtree!;
      for (let i = 0; i < 40; i++)
        t = await save([
          { name: 'a', type: 'dir', mode: 0o755, mtime: 0, size: 0, subtree: t },
          { name: 'b', type: 'dir', mode: 0o755, mtime: 0, size: 0, subtree: t },
        ]);
      changed = [...sub, { name: 'zz', type: 'dir', mode: 0o755, mtime: 0, size: 0, subtree: t }];
    }
    const subId = await save(changed);
    const rootId = await save(rootNodes.map((n) => (n === subDir ? { ...n, subtree: subId } : n)));
    await repo.blobs.flush();
    await repo.snapshots.save({ ...snapshot, tree: rootId });
    await repo.snapshots.remove(second);
    return `tree ${m.change}`;
  } finally {
    await repo.close();
  }
}

/** Every command, as a user would run it after the damage. */
const commands = (target: string): string[][] => [
  ['check'],
  ['check', '--read-data'],
  ['snapshots'],
  ['ls', 'latest'],
  ['ls', first],
  ['restore', 'latest', '--target', join(target, 'latest')],
  ['restore', first, '--target', join(target, 'first')],
  ['diff', first, 'latest'],
  ['stats'],
  ['forget', '--keep-last', '5', '--dry-run'],
  ['prune', '--dry-run'],
  ['key', 'list'],
  ['backup', src],
];

/** Runs every command on `repo`; asserts each answers with a defined code and one-line messages. */
async function runAll(
  repo: string,
  what: string,
): Promise<Map<string, { code: number; out: string; err: string }>> {
  const target = join(dir, `out-${figures.mutations}`);
  const results = new Map<string, { code: number; out: string; err: string }>();
  for (const args of commands(target)) {
    const r = await runKluis(args, env(repo));
    figures.commandRuns++;
    figures.exits[r.code] = (figures.exits[r.code] ?? 0) + 1;
    const where = `${what}: kluis ${args.join(' ')} → ${r.code}\n${r.err}`;
    expect([0, 1, 3, 4], where).toContain(r.code);
    expect(r.err, where).not.toMatch(/\n\s+at |run with --debug|Maximum call stack/);
    // A stopped restore lists each file it was writing (`not restored: PATH`), then its one-line error.
    const lines = r.err
      .split('\n')
      .filter((l) => l && !(args[0] === 'restore' && l.startsWith('not restored: ')));
    for (const line of lines) expect(line, where).toMatch(/^(kluis|warning): /);
    expect(lines.length, where).toBeLessThanOrEqual(3);
    results.set(args[0] === 'check' ? args.join(' ') : args.slice(0, 2).join(' '), r);
  }
  await rm(target, { recursive: true, force: true });
  expect(unhandled, what).toEqual([]);
  return results;
}

async function freshCopy(): Promise<string> {
  const repo = join(dir, `repo-${figures.mutations}`);
  await cp(pristine, repo, { recursive: true });
  return repo;
}

// Each run copies the repository and runs 13 commands (about 0.2 s): a third of the global count
// (20 locally, 66 in CI); KLUIS_FUZZ_RUNS sets it for a longer campaign.
const RUNS = {
  numRuns:
    Number(process.env.KLUIS_FUZZ_RUNS) || Math.max(10, Math.floor(fc.readConfigureGlobal().numRuns! / 3)),
};
const TIMEOUT = Math.max(60_000, RUNS.numRuns * 1_000);

describe('damage to any stored object gets a clear answer, never a crash', () => {
  it(
    'byte-level damage to config, keys, packs, index and snapshot files',
    async () => {
      const kinds = Object.keys(objects) as (keyof typeof objects)[];
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...kinds), fc.nat(), byteMutation, async (kind, pick, m) => {
          const repo = await freshCopy();
          const key = objects[kind][pick % objects[kind].length]!;
          const path = join(repo, key);
          const before = await readFile(path);
          const after = mutateBytes(before, m);
          fc.pre(!before.equals(after));
          await writeFile(path, after);
          figures.mutations++;
          const what = `${kind} ${key} ${m.op}`;
          const r = await runAll(repo, what);
          const detected = r.get('check --read-data')!.code !== 0;
          tally(kind, detected, what);
          // Every object but the key slots and config is named by its hash and authenticated.
          if (kind !== 'keys' && kind !== 'config') expect(detected, what).toBe(true);
          if (kind === 'snapshots' || kind === 'index') expect(r.get('check')!.code, what).toBe(4);
          // A damaged snapshot file leaves the other snapshot listed and restorable.
          if (kind === 'snapshots') {
            expect(r.get('snapshots')!.code, what).toBe(0);
            expect(r.get('snapshots')!.err, what).toMatch(/^kluis: warning: skipped 1 damaged snapshot/);
            expect(r.get('check')!.out, what).toContain(`error: ${key}: `);
            expect(r.get(`restore ${key.slice(10) === first ? second : first}`)?.code ?? 0, what).toBe(0);
          }
          await rm(repo, { recursive: true, force: true });
          await rm(`${repo}.cache`, { recursive: true, force: true });
        }),
        RUNS,
      );
    },
    TIMEOUT,
  );

  it(
    'authenticated lies: index entries and trees (via packs) that disagree with what they name',
    async () => {
      await fc.assert(
        fc.asyncProperty(sealedMutation, async (m) => {
          const repo = await freshCopy();
          const what = await mutateSealed(repo, m);
          fc.pre(what !== 'unchanged');
          figures.mutations++;
          const r = await runAll(repo, what);
          const detected = r.get('check --read-data')!.code !== 0;
          tally(m.op === 'index-field' ? 'index entry' : `tree ${m.change}`, detected, what);
          if (m.op === 'tree-node' && m.change !== 'doubling') expect(r.get('check')!.code, what).toBe(4);
          if (m.op === 'tree-node' && m.change === 'doubling')
            expect(r.get('restore latest')!.code, what).toBe(1);
          if (m.op === 'index-field') expect(detected, what).toBe(true);
          await rm(repo, { recursive: true, force: true });
          await rm(`${repo}.cache`, { recursive: true, force: true });
        }),
        RUNS,
      );
    },
    TIMEOUT,
  );
});
