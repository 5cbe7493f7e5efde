import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexFile } from '../src/format/index';
import { backup, check, initRepository, openRepository, restore } from '../src/index';
import { nativeCrypto, nodeDeflateRaw } from '../src/node/index';
import { localTransport } from '../src/node/local-transport';
import { memSource, memTarget, prng } from './helpers/trees';

let dir: string;
let original: IndexFile;
let snapshot: string;
const transport = () => localTransport({ root: join(dir, 'repo') });
const open = () =>
  openRepository(transport(), { password: 'pw', crypto: nativeCrypto, codec: nodeDeflateRaw });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-check-index-'));
  const repo = await initRepository(transport(), {
    password: 'pw',
    scrypt: { N: 1024, r: 8, p: 1 },
    crypto: nativeCrypto,
    codec: nodeDeflateRaw,
  });
  snapshot = (await backup(repo, memSource({ a: prng(20_000, 3) }))).id;
  await repo.close();
  const [name] = await readdir(join(dir, 'repo', 'index'));
  const r = await open();
  original = await r.blobs.readIndexFile(name!);
  await r.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Replaces the repository's index with `file` (written and authenticated as a real one would be). */
async function useIndex(file: IndexFile): Promise<void> {
  const repo = await open();
  const old = await readdir(join(dir, 'repo', 'index'));
  await repo.blobs.writeIndexFile(file);
  for (const name of old) await repo.transport.delete(`index/${name}`);
  await repo.close();
}

type Blob = IndexFile['packs'][number]['blobs'][number];
const variants: [string, (b: Blob) => Blob, RegExp][] = [
  ['raw length 0', (b) => ({ ...b, rawLength: 0 }), /rawLength 0 in the index, \d+ in the pack/],
  ['raw length 2^32-1', (b) => ({ ...b, rawLength: 0xffffffff }), /rawLength 4294967295 in the index/],
  ['length 0', (b) => ({ ...b, length: 0 }), /length 0 in the index, \d+ in the pack/],
  ['codec 9', (b) => ({ ...b, codec: 9 }), /codec 9 in the index, 0 in the pack/],
  ['type swapped', (b) => ({ ...b, type: 'tree' }), /type tree in the index, data in the pack/],
  ['offset moved', (b) => ({ ...b, offset: b.offset + 1 }), /offset \d+ in the index/],
  [
    'a blob the pack does not hold',
    (b) => ({ ...b, id: new Uint8Array(32).fill(7) }),
    /whose header does not list it/,
  ],
];

describe('check --read-data compares every index entry with the pack header', () => {
  it('the unaltered index passes', async () => {
    const repo = await open();
    expect((await check(repo, { readData: true })).problems).toEqual([]);
    await repo.close();
  });

  for (const [what, alter, message] of variants) {
    it(`reports an index entry with ${what}, and the files it affects`, async () => {
      const data = original.packs.find((p) => p.blobs.every((b) => b.type === 'data'))!;
      const target = data.blobs[0]!;
      await useIndex({
        ...original,
        packs: original.packs.map((p) =>
          p === data ? { ...p, blobs: p.blobs.map((b) => (b === target ? alter(b) : b)) } : p,
        ),
      });
      const repo = await open();
      const report = await check(repo, { readData: true });
      expect(report.ok).toBe(false);
      const problem = report.problems.find((p) => p.kind === 'index');
      expect(problem?.message).toMatch(message);
      expect(report.affected).toEqual([{ snapshot, path: 'a' }]);
      // Restore fails too, with a typed error (never restores wrong bytes).
      await expect(restore(repo, snapshot, memTarget().target)).rejects.toMatchObject({
        name: expect.stringMatching(/KluisError|IntegrityError|ValidationError/),
      });
      await repo.close();
      await useIndex(original);
    });
  }

  it('a raw-length mismatch names both lengths, not the same ID twice', async () => {
    const data = original.packs.find((p) => p.blobs.every((b) => b.type === 'data'))!;
    const target = data.blobs[0]!;
    await useIndex({
      ...original,
      packs: original.packs.map((p) =>
        p === data
          ? { ...p, blobs: p.blobs.map((b) => (b === target ? { ...b, rawLength: b.rawLength - 1 } : b)) }
          : p,
      ),
    });
    const repo = await open();
    await repo.blobs.loadIndex();
    const err = (await repo.blobs.load(target.id).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(
      new RegExp(`expected ${target.rawLength - 1} bytes of plaintext, got ${target.rawLength}`),
    );
    await repo.close();
    await useIndex(original);
  });
});
