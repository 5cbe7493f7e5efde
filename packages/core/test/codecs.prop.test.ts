// Every codec's output is read back by every reader: each writer this runtime has (native zstd
// where node:zlib has it, the wasm, web and node:zlib DEFLATE codecs, and no compression)
// against every reader (the web default a browser uses, the wasm and Node codecs, native and
// portable zstd). Known answers: zstd frames made by node:zlib's encoder (vectors/zstd.json)
// decode identically with the portable decoder and the native one.
import { createHash, randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsZstd } from '../src/_zstd-decoders';
import {
  CODEC_NONE,
  CODEC_ZSTD,
  type CompressionCodec,
  compressAuto,
  decoderFor,
  portableZstd,
  wasmDeflateRaw,
  webDeflateRaw,
} from '../src/format/index';
import { initRepository, memoryTransport, openRepository } from '../src/index';
import { nodeCodec, nodeDeflateRaw, nodeZstd } from '../src/node/index';
import { zstdLevel3 } from '../src/node/zlib-codec';
import { pseudoText, SCRYPT } from './helpers/codec-tree';
import vectors from './vectors/zstd.json' with { type: 'json' };

const writers: Record<string, CompressionCodec | undefined> = {
  none: undefined,
  'deflate (wasm)': wasmDeflateRaw,
  'deflate (CompressionStream)': webDeflateRaw,
  'deflate (node)': nodeDeflateRaw,
};
const readers: Record<string, CompressionCodec> = {
  'web default (browsers)': webDeflateRaw,
  'deflate (wasm)': wasmDeflateRaw,
  'deflate (node)': nodeDeflateRaw,
  'node codec': nodeCodec,
  ...(nodeZstd ? { 'zstd (native)': nodeZstd } : {}),
};
/** The portable decoder's fallback where WebAssembly cannot load (a strict Content Security Policy). */
const fzstd = { id: CODEC_ZSTD, name: 'zstd (fzstd)', decompress: jsZstd };
const noZstd = `skipped: Node ${process.versions.node} has no zstd in node:zlib (codec-runtimes.test.ts runs it under Node 24)`;

/** Mixed input: pseudo-text (compresses), random bytes (stored as is), runs, and splices of them. */
const input = fc.oneof(
  fc.uint8Array({ maxLength: 40_000 }),
  fc.tuple(fc.integer({ min: 0, max: 60_000 }), fc.integer()).map(([n, seed]) => pseudoText(n, seed)),
  fc
    .tuple(fc.integer({ min: 1, max: 255 }), fc.integer({ min: 0, max: 70_000 }))
    .map(([b, n]) => new Uint8Array(n).fill(b)),
  fc
    .array(
      fc.oneof(
        fc.uint8Array({ maxLength: 3000 }),
        fc.integer({ min: 0, max: 9000 }).map((n) => pseudoText(n, n)),
      ),
      {
        maxLength: 6,
      },
    )
    .map((parts) => Buffer.concat(parts)),
);

async function readBack(reader: CompressionCodec, codec: number, bytes: Uint8Array, rawLength: number) {
  if (codec === CODEC_NONE) return bytes;
  const decoder = decoderFor(reader, codec);
  if (!decoder) throw new Error(`no decoder for codec ${codec} in ${reader.name}`);
  return decoder.decompress(bytes, rawLength);
}

async function roundTrips(writer: CompressionCodec | undefined, data: Uint8Array): Promise<void> {
  const { codec, bytes } = await compressAuto(writer, data);
  expect(codec === CODEC_NONE || codec === writer?.id).toBe(true);
  for (const [name, reader] of Object.entries(readers)) {
    const back = await readBack(reader, codec, bytes, data.length);
    expect(Buffer.compare(back, data), `${writer?.name ?? 'none'} read by ${name}`).toBe(0);
  }
}

describe('codecs: every writer is read by every reader', () => {
  for (const [name, writer] of Object.entries(writers))
    it(`${name} output`, () =>
      fc.assert(
        fc.asyncProperty(input, (data) => roundTrips(writer, data)),
        { numRuns: 60 },
      ));

  it.skipIf(!nodeZstd)(`zstd (native) output${nodeZstd ? '' : ` — ${noZstd}`}`, async () => {
    await fc.assert(
      fc.asyncProperty(input, async (data) => {
        await roundTrips(nodeZstd, data);
        // The portable decoders on their own, as browsers and Node 20 use them.
        const { codec, bytes } = await compressAuto(nodeZstd, data);
        if (codec === CODEC_ZSTD)
          for (const d of [portableZstd, fzstd])
            expect(Buffer.compare(await d.decompress(bytes, data.length), data), d.name).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  // nodeZstd keeps one zstd context per thread: its frames must be the ones a fresh context per
  // call (node:zlib's zstdCompressSync, as kluis called it before) writes, byte for byte, or the
  // same data would be stored differently by different versions. Sizes large and small follow
  // each other, as chunks do, so the kept context is resized both ways.
  it.skipIf(!nodeZstd)(
    `zstd (native) frames are byte-identical to one context per call${nodeZstd ? '' : ` — ${noZstd}`}`,
    () => {
      const big = fc.oneof(
        fc.integer({ min: 0, max: 3 << 20 }).map((n) => pseudoText(n, n)),
        fc.integer({ min: 0, max: 2 << 20 }).map((n) => new Uint8Array(randomBytes(n))),
      );
      const fresh = (d: Uint8Array) =>
        (zlib as unknown as { zstdCompressSync: (d: Uint8Array, o: object) => Buffer }).zstdCompressSync(d, {
          params: { 100: 3 },
          pledgedSrcSize: d.length,
          chunkSize: Math.min(8 << 20, Math.max(64, d.length + 64)),
        });
      fc.assert(
        fc.property(fc.array(fc.oneof(input, big), { minLength: 1, maxLength: 6 }), (inputs) => {
          for (const d of inputs) {
            const kept = nodeZstd!.compress(d) as Uint8Array;
            expect(Buffer.compare(kept, fresh(d)), `${d.length} bytes`).toBe(0);
          }
        }),
        { numRuns: 40 },
      );
      // Not vacuous: the context really was kept (node:zlib's handle answered as expected).
      expect(zstdLevel3?.reused()).toBe(true);
    },
  );

  it('nodeCodec writes zstd exactly where node:zlib has it, and deflate-raw elsewhere', () => {
    expect(nodeCodec).toBe(nodeZstd ?? nodeDeflateRaw);
  });
});

describe('zstd known answers (frames by node:zlib zstd 1.5.7, level 3)', () => {
  const plainOf = (v: (typeof vectors.vectors)[number]) =>
    'plain' in v && v.plain !== undefined
      ? new Uint8Array(Buffer.from(v.plain, 'base64'))
      : pseudoText(140_000, 14);
  const sha = (d: Uint8Array) => createHash('sha256').update(d).digest('hex');
  const zstdReaders = {
    portable: portableZstd,
    'portable, without WebAssembly (fzstd)': fzstd,
    ...(nodeZstd ? { native: nodeZstd } : {}),
  };
  for (const v of vectors.vectors)
    it(`${v.name}: every zstd decoder returns the plaintext`, async () => {
      const plain = plainOf(v);
      if ('plainSha256' in v) expect(sha(plain)).toBe(v.plainSha256);
      const frame = new Uint8Array(Buffer.from(v.frame, 'base64'));
      for (const [name, d] of Object.entries(zstdReaders))
        expect(Buffer.compare(await d.decompress(frame, plain.length), plain), name).toBe(0);
      // And through every reader's dispatch, as a blob of codec 2.
      for (const reader of Object.values(readers))
        expect(Buffer.compare(await readBack(reader, CODEC_ZSTD, frame, plain.length), plain)).toBe(0);
    });

  it('a damaged, truncated or longer-than-recorded frame is refused, never returned', async () => {
    const v = vectors.vectors[0]!;
    const plain = plainOf(v);
    const frame = new Uint8Array(Buffer.from(v.frame, 'base64'));
    const flipped = frame.slice();
    flipped[frame.length >> 1]! ^= 0x40;
    const cases: [Uint8Array, number][] = [
      [frame.subarray(0, frame.length - 9), plain.length],
      [flipped, plain.length],
      [frame, plain.length - 1],
      [frame, plain.length + 1],
      [frame, 0],
    ];
    for (const [bytes, n] of cases) {
      for (const [name, d] of Object.entries(zstdReaders)) {
        const out = await Promise.resolve()
          .then(() => d.decompress(bytes, n))
          .then(
            (r) => r,
            (e: unknown) => e,
          );
        // A flipped bit may still decode to rawLength bytes: then they are not the plaintext,
        // which the blob ID check after decompressing catches.
        if (out instanceof Uint8Array) expect(Buffer.compare(out, plain), `${name} ${n}`).not.toBe(0);
        else expect(out, `${name} ${n}`).toBeInstanceOf(Error);
      }
    }
  });

  it('a blob of a codec the reader has no decoder for is refused as UNSUPPORTED_VERSION', async () => {
    expect(decoderFor(webDeflateRaw, 3)).toBeUndefined();
    expect(decoderFor(webDeflateRaw, CODEC_ZSTD)).toBe(portableZstd);
    // A writer with a codec 3 this version does not know (it halves its input: "compressed").
    const codec3: CompressionCodec = {
      id: 3,
      name: 'future',
      compress: (d) => d.slice(0, d.length >> 1),
      decompress: (d) => d,
    };
    const t = memoryTransport();
    const writer = await initRepository(t, { password: 'pw', scrypt: SCRYPT, codec: codec3 });
    const { id } = await writer.blobs.save('data', pseudoText(5000, 1));
    await writer.blobs.flush();
    const reader = await openRepository(t, { password: 'pw' });
    await reader.blobs.loadIndex();
    expect(reader.blobs.index.get(id)?.codec).toBe(3);
    await expect(reader.blobs.load(id)).rejects.toMatchObject({
      code: 'UNSUPPORTED_VERSION',
      message: expect.stringContaining('unknown codec 3'),
    });
  });
});
