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

  it('warns and skips as the calling thread does: a file gone before it is read, one that grew', {
    timeout: 120_000,
  }, async () => {
    const src = join(dir, 'src');
    await mkdir(join(src, 'd'), { recursive: true });
    await writeFile(join(src, 'd', 'gone.txt'), 'soon gone\n');
    await writeFile(join(src, 'd', 'grow.txt'), 'short\n');
    await writeFile(join(src, 'd', 'big.bin'), prng(3_000_000, 9));
    const a = memoryTransport();
    await initRepository(a, { password: 'pw', scrypt: SCRYPT, crypto: nativeCrypto, codec: nodeCodec });
    const b = await twin(a);
    const results = [];
    for (const [t, wholeFiles] of [
      [a, true],
      [b, false],
    ] as const) {
      await writeFile(join(src, 'd', 'gone.txt'), 'soon gone\n');
      await writeFile(join(src, 'd', 'grow.txt'), 'short\n');
      const repo = await open(t, wholeFiles);
      const fs = fsSource([src]);
      // Between listing and reading: one file disappears, another grows.
      const source = {
        ...fs,
        list: async (path: readonly string[]) => {
          const entries = await fs.list(path);
          if (path.at(-1) === 'd') {
            await rm(join(src, 'd', 'gone.txt'));
            await writeFile(join(src, 'd', 'grow.txt'), 'a good deal longer now\n');
          }
          return entries;
        },
      };
      const warnings: string[] = [];
      const r = await backup(repo, source, {
        time: new Date(0),
        onEvent: (e) => {
          if (e.type === 'warning') warnings.push(`${e.path}: ${e.message}`);
        },
      });
      // The files as recorded (times differ between the two runs: the files are written again).
      const root = await repo.loadTree(r.snapshot.tree);
      const top = await repo.loadTree(root[0]!.subtree!);
      const d = await repo.loadTree(top.find((n) => n.name === 'd')!.subtree!);
      const files = d.map((n) => ({ name: n.name, size: n.size, content: n.content }));
      await repo.close();
      results.push({ files, errors: r.snapshot.summary.errors, warnings: warnings.sort() });
    }
    expect(results[0]).toEqual(results[1]);
    expect(results[0]!.errors).toBe(1);
    expect(results[0]!.files.map((f) => [f.name, f.size])).toEqual([
      ['big.bin', 3_000_000],
      ['grow.txt', 23],
    ]);
    expect(results[0]!.warnings).toEqual([
      expect.stringMatching(/^src\/d\/gone\.txt: cannot read file: ENOENT: no such file or directory/),
      'src/d/grow.txt: file changed while being read (6 → 23 bytes)',
    ]);
  });

  it('stops when aborted, leaving a repository the next backup completes', { timeout: 120_000 }, async () => {
    const src = join(dir, 'src');
    await makeTree(src);
    const t = memoryTransport();
    await initRepository(t, { password: 'pw', scrypt: SCRYPT, crypto: nativeCrypto, codec: nodeCodec });
    const repo = await open(t, true);
    const stop = new AbortController();
    const reason = new Error('stop now');
    let files = 0;
    const aborted = backup(repo, fsSource([src]), {
      signal: stop.signal,
      onEvent: (e) => {
        if (e.type === 'file' && ++files === 20) stop.abort(reason);
      },
    });
    await expect(aborted).rejects.toBe(reason);
    const { snapshot } = await backup(repo, fsSource([src]), { parent: 'latest' });
    expect(snapshot.summary.filesNew + snapshot.summary.filesChanged).toBe(305);
    await repo.close();
    const reader = await openRepository(t, { password: 'pw' });
    expect((await check(reader, { readData: true })).ok).toBe(true);
  });
});
