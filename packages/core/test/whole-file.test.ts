import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  backup,
  check,
  initRepository,
  memoryTransport,
  openRepository,
  type Repository,
  restore,
  type Transport,
} from '../src/index';
import { fsSource, fsTarget, nativeCrypto, nodeCodec, workerBlobEncoder } from '../src/node/index';
import { prng } from './helpers/trees';

const SCRYPT = { N: 1024, r: 8, p: 1 };
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-whole-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const text = (s: string) => new TextEncoder().encode(s);

/** A tree with many small files, duplicates, an empty file, large random and text files. */
async function makeTree(root: string): Promise<void> {
  await mkdir(join(root, 'small', 'deeper'), { recursive: true });
  await mkdir(join(root, 'big'), { recursive: true });
  for (let i = 0; i < 300; i++) {
    const where = i % 3 === 0 ? join(root, 'small', 'deeper') : join(root, 'small');
    await writeFile(join(where, `f${i}.txt`), `file ${i}\n`.repeat(1 + ((i * 37) % 400)));
  }
  await writeFile(join(root, 'small', 'empty'), '');
  const random = prng(5_000_000, 3);
  await writeFile(join(root, 'big', 'random.bin'), random);
  await writeFile(join(root, 'big', 'random-copy.bin'), random); // every chunk a duplicate
  await writeFile(join(root, 'big', 'log.txt'), text('2026-12-07 a line of a log file\n'.repeat(200_000)));
  await writeFile(join(root, 'big', 'zeros.bin'), new Uint8Array(3 << 20)); // one chunk many times
}

/** A copy of a freshly initialised repository (same keys), so two backups can be compared. */
async function twin(t: Transport): Promise<Transport> {
  const copy = memoryTransport();
  for await (const o of t.list('')) await copy.put(o.key, await t.get(o.key));
  return copy;
}

function open(t: Transport, wholeFiles: boolean): Promise<Repository> {
  return openRepository(t, {
    password: 'pw',
    crypto: nativeCrypto,
    codec: nodeCodec,
    encoder: workerBlobEncoder({ threads: 2, inlineBytes: 0, wholeFiles }),
  });
}

/** Every stored blob as (type, id, plaintext length, codec, sealed length), sorted. */
function blobs(repo: Repository): string[] {
  return [...repo.blobs.index.entries()]
    .map((e) => `${e.type} ${Buffer.from(e.id).toString('hex')} ${e.rawLength} ${e.codec} ${e.length}`)
    .sort();
}

describe('whole files on the encoder threads', () => {
  it('writes the same trees, snapshot tree and blobs as reading files on the calling thread', {
    timeout: 120_000,
  }, async () => {
    const src = join(dir, 'src');
    await makeTree(src);
    const a = memoryTransport();
    await initRepository(a, { password: 'pw', scrypt: SCRYPT, crypto: nativeCrypto, codec: nodeCodec });
    const b = await twin(a);
    const whole = await open(a, true);
    const split = await open(b, false);
    expect(whole.encoder.files?.ready).toBe(true);
    expect(split.encoder.files).toBeUndefined();
    const handedOver = vi.spyOn(whole.encoder.files!, 'encodeFile');
    const one = await backup(whole, fsSource([src]), { time: new Date(0) });
    // Every file went to the threads whole (the encoder's threads run from the first byte here).
    expect(handedOver).toHaveBeenCalledTimes(305);
    const two = await backup(split, fsSource([src]), { time: new Date(0) });
    expect(one.snapshot.tree).toBe(two.snapshot.tree);
    expect(blobs(whole)).toEqual(blobs(split));
    const { started: _s, finished: _f, ...s1 } = one.snapshot.summary;
    const { started: _s2, finished: _f2, ...s2 } = two.snapshot.summary;
    expect(s1).toEqual(s2);
    await whole.close();
    await split.close();
    // What the threads wrote reads back byte for byte.
    const reader = await openRepository(a, { password: 'pw' });
    expect((await check(reader, { readData: true })).ok).toBe(true);
    const out = join(dir, 'out');
    await restore(reader, 'latest', fsTarget(out), { verify: true });
  });
});

