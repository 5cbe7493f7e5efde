import * as zlib from 'node:zlib';
import { CODEC_DEFLATE_RAW, type CompressionCodec, type CompressionDecoder } from '../compression';
import { MAX_WASM_DEFLATE_INPUT, wasmDeflateSync } from '../deflate/encoder';
import { CODEC_ZSTD, portableZstd } from '../zstd';
import { reusedZstdCompressor } from './_zstd-context';

const { constants, deflateRawSync, inflateRawSync } = zlib;

/** node:zlib's zstd functions (Node ≥ 22.15 and 23.8), absent from older runtimes and their types. */
interface ZstdZlib {
  zstdCompressSync(
    data: Uint8Array,
    o: { params: Record<number, number>; pledgedSrcSize: number; chunkSize: number },
  ): Buffer;
  zstdDecompressSync(data: Uint8Array, o: { maxOutputLength: number; chunkSize: number }): Buffer;
  createZstdCompress: Parameters<typeof reusedZstdCompressor>[0]['createZstdCompress'];
}
// A namespace import and a feature test: a named import of a missing export fails to link on Node 20.
const nativeZstd: ZstdZlib | undefined =
  typeof (zlib as Partial<ZstdZlib>).zstdCompressSync === 'function' &&
  typeof (zlib as Partial<ZstdZlib>).zstdDecompressSync === 'function'
    ? (zlib as unknown as ZstdZlib)
    : undefined;

/**
 * This thread's zstd compressor at level 3: one context kept for every call (see
 * _zstd-context.ts), its frames byte-identical to `zstdCompressSync`'s. Internal.
 */
export const zstdLevel3 = nativeZstd && reusedZstdCompressor(nativeZstd, 3);

/**
 * zstd decoding: native where node:zlib has it, else the portable WebAssembly decoder, so
 * every Node reads zstd blobs.
 */
const zstdDecoder: CompressionDecoder = nativeZstd
  ? {
      id: CODEC_ZSTD,
      name: 'zstd',
      // One output buffer for the whole result, as for inflating (see nodeDeflateRaw).
      decompress(data, rawLength) {
        const out = nativeZstd.zstdDecompressSync(data, {
          maxOutputLength: Math.max(1, rawLength),
          chunkSize: Math.min(8 << 20, Math.max(64, rawLength + 1)),
        });
        // Refused like the portable decoder refuses it, so both behave alike.
        if (out.length !== rawLength)
          throw new RangeError(`zstd frame does not decode to its recorded length ${rawLength}`);
        return asBytes(out);
      },
    }
  : portableZstd;

/**
 * Raw DEFLATE, synchronous: compressed by this package's WebAssembly encoder (the one of
 * `wasmDeflateRaw`: about twice as fast as node:zlib's fastest level on text, with slightly
 * smaller output; see docs/format.md), decompressed by node:zlib. Interoperates with the
 * web-standard codecs in `@kluis/core`. Reads zstd blobs too (natively where node:zlib has zstd).
 *
 * @example
 * ```ts
 * const repo = await openRepository(transport, { password, codec: nodeDeflateRaw });
 * ```
 */
export const nodeDeflateRaw: CompressionCodec = {
  id: CODEC_DEFLATE_RAW,
  name: 'deflate-raw',
  reads: [zstdDecoder],
  // Inputs over 256 MiB (never a chunk) go to zlib's fastest level.
  compress: (data) =>
    data.length <= MAX_WASM_DEFLATE_INPUT
      ? wasmDeflateSync(data)
      : asBytes(deflateRawSync(data, { level: 1, strategy: constants.Z_DEFAULT_STRATEGY })),
  // One output buffer for the whole result (one byte more, so zlib sees the end without asking
  // for another piece): the default 16 KiB pieces, joined afterwards, made inflating 2-3x slower
  // and restores run ~50 % more garbage collections. (zlib compressing keeps the default: its output
  // is small, and a full-size buffer measured slower.)
  decompress: (data, rawLength) =>
    asBytes(
      inflateRawSync(data, {
        maxOutputLength: Math.max(1, rawLength),
        chunkSize: Math.min(8 << 20, Math.max(64, rawLength + 1)), // a hostile rawLength allocates no more
      }),
    ),
};

function asBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Zstandard (codec id 2) through node:zlib, level 3, where the runtime has it (Node ≥ 22.15);
 * undefined on older runtimes. On 64 KiB chunks it compresses at about the speed of the
 * WebAssembly DEFLATE encoder (1.7× zlib's DEFLATE) with 2–6 % smaller output (see
 * docs/benchmarks.md). Reads deflate-raw blobs too. Every reader decodes its output: Node
 * natively or with `portableZstd`, browsers with `portableZstd`.
 *
 * @example
 * ```ts
 * const repo = await openRepository(transport, { password, codec: nodeZstd ?? nodeDeflateRaw });
 * ```
 */
export const nodeZstd: CompressionCodec | undefined = nativeZstd && {
  id: CODEC_ZSTD,
  name: 'zstd',
  reads: [nodeDeflateRaw],
  // One context per thread, kept (_zstd-context.ts): a fresh one per call, as zstdCompressSync
  // makes, cost 55–80 MB of peak RSS in a first backup. zstd sizes its tables to each input
  // (as told by `pledgedSrcSize`), and the frame is written into one kept buffer and copied
  // out at its size, so nothing grows or is joined (docs/benchmarks.md).
  compress: (data) => zstdLevel3!.compress(data),
  decompress: zstdDecoder.decompress,
};

/**
 * The codec a writer in this Node should use: {@link nodeZstd} where node:zlib has zstd,
 * {@link nodeDeflateRaw} elsewhere. Both read every codec, so whatever it writes, every reader
 * of the format decodes (the rule is in docs/format.md).
 *
 * @example
 * ```ts
 * const repo = await openRepository(transport, { password, crypto: nativeCrypto, codec: nodeCodec });
 * ```
 */
export const nodeCodec: CompressionCodec = nodeZstd ?? nodeDeflateRaw;

/**
 * The node:zlib codec that writes blobs of codec id `id` (worker threads compress with these).
 * Internal.
 */
export function nodeCodecById(id: number | undefined): CompressionCodec | undefined {
  if (id === undefined) return undefined;
  if (id === CODEC_DEFLATE_RAW) return nodeDeflateRaw;
  if (id === CODEC_ZSTD && nodeZstd) return nodeZstd;
  throw new TypeError(
    `worker threads cannot compress with codec ${id} in Node ${process.versions.node} (use nodeCodec)`,
  );
}
