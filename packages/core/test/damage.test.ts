import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  backup,
  check,
  initRepository,
  KluisError,
  openRepository,
  type Repository,
  restore,
} from '../src/index';
import { nativeCrypto, nodeDeflateRaw } from '../src/node/index';
import { localTransport } from '../src/node/local-transport';
import { memSource, memTarget, prng } from './helpers/trees';

const SCRYPT = { N: 1024, r: 8, p: 1 };
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-damage-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const open = () =>
  openRepository(localTransport({ root: join(dir, 'repo') }), {
    password: 'pw',
    crypto: nativeCrypto,
    codec: nodeDeflateRaw,
  });

/** A local repository with two snapshots, the second adding one file; returns their IDs in order. */
async function twoSnapshots(): Promise<[string, string]> {
  const repo = await initRepository(localTransport({ root: join(dir, 'repo') }), {
    password: 'pw',
    scrypt: SCRYPT,
    crypto: nativeCrypto,
    codec: nodeDeflateRaw,
  });
  const first = await backup(repo, memSource({ a: { 'x.bin': prng(5000, 1) } }), {
    time: new Date('2026-01-01T00:00:00Z'),
  });
  const indexBefore = await readdir(join(dir, 'repo', 'index'));
  const second = await backup(repo, memSource({ a: { 'x.bin': prng(5000, 1), 'y.bin': prng(7000, 2) } }), {
    time: new Date('2026-01-02T00:00:00Z'),
  });
  await repo.close();
  const indexAfter = await readdir(join(dir, 'repo', 'index'));
  secondIndex = indexAfter.find((f) => !indexBefore.includes(f))!;
  return [first.id, second.id];
}
let secondIndex = '';

async function flipByte(path: string, at = 40): Promise<void> {
  const b = await readFile(path);
  b[at] = b[at]! ^ 1;
  await writeFile(path, b);
}

async function restoredNames(repo: Repository, id: string): Promise<string[]> {
  const mem = memTarget();
  await restore(repo, id, mem.target);
  return Object.keys(mem.root.a as object).sort();
}

describe('one damaged snapshot file', () => {
  it('is reported and skipped; the others keep working; it can be removed by ID', async () => {
    const [good, bad] = await twoSnapshots();
    await flipByte(join(dir, 'repo', 'snapshots', bad));
    const repo = await open();
    const { snapshots, damaged } = await repo.snapshots.scan();
    expect(snapshots.map((s) => s.id)).toEqual([good]);
    expect(damaged).toEqual([{ key: `snapshots/${bad}`, message: expect.stringContaining('integrity') }]);
    // Callers that must see every snapshot (prune) get a typed error naming it.
    const err = await repo.snapshots.list().catch((e: unknown) => e);
    expect(KluisError.is(err, 'INTEGRITY')).toBe(true);
    expect((err as Error).message).toContain(`snapshots/${bad} is damaged`);
    expect(err).toMatchObject({ key: `snapshots/${bad}` }); // the CLI's hint names it: kluis forget ID
    expect((err as Error).message).not.toContain('kluis forget');
    // latest passes over it; the good one restores by ID and by prefix; the bad one fails typed.
    expect((await repo.snapshots.resolve('latest')).id).toBe(good);
    expect(await restoredNames(repo, good)).toEqual(['x.bin']);
    expect(await restoredNames(repo, good.slice(0, 8))).toEqual(['x.bin']);
    await expect(restore(repo, bad, memTarget().target)).rejects.toMatchObject({ code: 'INTEGRITY' });
    // check exits non-zero naming it, and still checks the good one.
    const report = await check(repo);
    expect(report.ok).toBe(false);
    expect(report.snapshots).toBe(2);
    expect(report.problems).toEqual([
      { kind: 'snapshot', object: `snapshots/${bad}`, message: expect.any(String) },
    ]);
    // A backup takes the good snapshot as its parent and works.
    const third = await backup(repo, memSource({ a: { 'x.bin': prng(5000, 1) } }), { parent: 'latest' });
    expect(third.snapshot.parent).toBe(good);
    // Removal by ID (or a prefix) reads nothing, so the damaged one goes too.
    expect(await repo.snapshots.resolveId(bad.slice(0, 6))).toBe(bad);
    await repo.snapshots.remove(await repo.snapshots.resolveId(bad.slice(0, 6)));
    expect((await repo.snapshots.list()).map((s) => s.id)).toEqual([good, third.id]);
    await repo.close();
  });
});

describe('one damaged index file', () => {
  it('is reported and left out; restore of what other index files cover works; backup repairs', async () => {
    const [good, second] = await twoSnapshots();
    await flipByte(join(dir, 'repo', 'index', secondIndex));
    let repo = await open();
    // The default (prune's) refuses with a typed error naming the file.
    const err = await repo.blobs.loadIndex().catch((e: unknown) => e);
    expect(KluisError.is(err, 'INTEGRITY')).toBe(true);
    expect((err as Error).message).toContain(`index/${secondIndex}`);
    const report = await check(repo);
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toEqual({
      kind: 'index',
      object: `index/${secondIndex}`,
      message: expect.any(String),
    });
    expect(await restoredNames(repo, good)).toEqual(['x.bin']);
    await expect(restore(repo, second, memTarget().target)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await repo.close();
    // A backup indexes the packs only the damaged file listed, after which the snapshot restores.
    repo = await open();
    await backup(repo, memSource({ b: prng(100, 3) }));
    await repo.close();
    repo = await open();
    await repo.blobs.loadIndex(undefined, { tolerateDamage: true });
    expect(repo.blobs.damaged.map((d) => d.key)).toEqual([`index/${secondIndex}`]);
    expect(await restoredNames(repo, second)).toEqual(['x.bin', 'y.bin']);
    await repo.close();
  });
});

describe('one damaged key slot', () => {
  it('does not lock out the passwords of the other slots, and can be removed', async () => {
    await twoSnapshots();
    const keys = join(dir, 'repo', 'keys');
    const [first] = await readdir(keys);
    let repo = await open();
    await repo.addKey('second', { scrypt: SCRYPT });
    await repo.close();
    await writeFile(join(keys, first!), '{"not": "a key slot"');
    const transport = localTransport({ root: join(dir, 'repo') });
    repo = await openRepository(transport, { password: 'second', crypto: nativeCrypto });
    expect((await repo.snapshots.list()).length).toBe(2);
    await repo.close();
    const err = await open().catch((e: unknown) => e);
    expect(KluisError.is(err, 'WRONG_PASSWORD')).toBe(true);
    expect((err as Error).message).toContain(`1 damaged key slot(s) skipped, first keys/${first}`);
    repo = await openRepository(transport, { password: 'second', crypto: nativeCrypto });
    await repo.removeKey(first!.slice(0, 8));
    expect(await readdir(keys)).toHaveLength(1);
    await repo.close();
    const [second] = await readdir(keys);
    await writeFile(join(keys, second!), 'x');
    await expect(open()).rejects.toMatchObject({
      code: 'INVALID_DATA',
      message: expect.stringContaining('no readable key slots'),
    });
  });
});
