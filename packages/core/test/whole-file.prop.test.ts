// The whole-file protocol between the calling thread and the encoder threads: whatever the files
// (sizes, contents, how many at once) and whenever the caller releases the sealed chunks, each
// file's chunks come back in order, are exactly the chunks the calling thread's chunker cuts,
// carry their keyed IDs, and open (decrypt, decompress) to their plaintext.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyedGearTable, loadChunker } from '../src/chunker/index';
import { CODEC_NONE, compressAuto, compressAutoSync, decoderFor } from '../src/compression';
import { open } from '../src/crypto/seal';
import { PART_BYTES } from '../src/node/_file-worker';
import { nativeCrypto, nodeCodec, workerBlobEncoder } from '../src/node/index';
import { AAD } from '../src/repo/format/sealer';
import type { BlobEncoder } from '../src/repo/store/blob-encoder';

const key = nativeCrypto.randomBytes(32);
const idKey = nativeCrypto.randomBytes(32);
const chunkerKey = nativeCrypto.randomBytes(32);
/** Small chunks, so files of a few hundred kilobytes make many and fill several parts. */
const chunker = { minSize: 2048, avgSize: 8192, maxSize: 32768 };
let dir: string;
let encoder: BlobEncoder;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-whole-file-prop-'));
  encoder = workerBlobEncoder({ threads: 2, inlineBytes: 0, wholeFiles: true })({
    crypto: nativeCrypto,
    key,
    codec: nodeCodec,
    chunking: { idKey, chunkerKey, chunker },
  });
});
afterAll(async () => {
  await encoder.close();
  await rm(dir, { recursive: true, force: true });
});

/** File contents: random, repetitive (compressible) or empty, up to ~1.5 part buffers. */
const content = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 4096 }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 0, max: 1.5 * PART_BYTES })
      .chain((n) => fc.integer({ min: 1, max: 2 ** 31 }).map((seed) => bytes(n, seed, seed % 2 === 0))),
  },
);

/** `n` pseudo-random bytes, or text-like ones that compress. */
function bytes(n: number, seed: number, text: boolean): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = text ? 97 + ((x >>> 0) % 8) : x & 0xff;
  }
  return out;
}

describe('whole-file protocol', () => {
  it('hands back every file as the chunks, IDs and sealed bytes of the calling thread', {
    timeout: 300_000,
  }, async () => {
    const factory = await loadChunker();
    const gear = keyedGearTable(chunkerKey);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(content, { minLength: 1, maxLength: 10 }),
        fc.boolean(),
        async (files, releaseLate) => {
          const paths = await Promise.all(
            files.map(async (f, i) => {
              const p = join(dir, `r${run}-${i}`);
              await writeFile(p, f);
              return p;
            }),
          );
          run++;
          let late = 0;
          const got = files.map(
            () => [] as { id: Uint8Array; raw: number; codec: number; sealed: Uint8Array }[],
          );
          const sizes = await Promise.all(
            paths.map((p, i) =>
              encoder.files!.encodeFile(p, files[i]!.length, (id, raw, blob) => {
                got[i]!.push({ id: id.slice(), raw, codec: blob.codec, sealed: blob.sealed.slice() });
                // Released out of order a few milliseconds later (as pack writes complete), or at once.
                if (releaseLate && late++ % 3 !== 0) setTimeout(() => blob.release?.(), late % 5);
                else blob.release?.();
              }),
            ),
          );
          for (const [i, f] of files.entries()) {
            expect(sizes[i]).toBe(f.length);
            const cuts = factory.cutPoints(f, { ...chunker, gear });
            const want = cuts.map((end, k) => f.subarray(k === 0 ? 0 : cuts[k - 1], end));
            expect(got[i]!.map((c) => c.raw)).toEqual(want.map((c) => c.length));
            for (const [k, c] of got[i]!.entries()) {
              expect(c.id).toEqual(nativeCrypto.hmacSha256(idKey, want[k]!));
              const opened = open(nativeCrypto, key, c.sealed, AAD.blob('data', c.id));
              const plain =
                c.codec === CODEC_NONE ? opened : await decoder(c.codec).decompress(opened, c.raw);
              expect(plain).toEqual(want[k]);
            }
          }
        },
      ),
      { numRuns: process.env.CI ? 30 : 12 },
    );
  });

  it('compresses synchronously exactly as compressAuto does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 40_000 }),
          fc.integer({ min: 0, max: 60_000 }).map((n) => bytes(n, n + 1, true)),
        ),
        async (data) => {
          const a = await compressAuto(nodeCodec, data);
          const b = compressAutoSync(syncCodec, data);
          expect(b.codec).toBe(a.codec);
          expect(b.bytes).toEqual(a.bytes);
        },
      ),
      { numRuns: 60 },
    );
  });
});

const syncCodec = { id: nodeCodec.id, compress: (d: Uint8Array) => nodeCodec.compress(d) as Uint8Array };

function decoder(codec: number) {
  const d = decoderFor(nodeCodec, codec);
  if (!d) throw new Error(`no decoder for codec ${codec}`);
  return d;
}
