import * as zlib from 'node:zlib';
import { CODEC_DEFLATE_RAW, type CompressionCodec } from '../compression';
import { MAX_WASM_DEFLATE_INPUT, wasmDeflateSync } from '../deflate/encoder';
import { CODEC_ZSTD } from '../zstd';
import { asBytes, nativeZstd, nodeDeflateRawReader, type ZstdZlib, zstdDecoder } from './_zlib-decoders';
import { reusedZstdCompressor } from './_zstd-context';

const { constants, deflateRawSync } = zlib;

/** node:zlib's zstd compressor factory (Node ≥ 22.15), absent from older runtimes and their types. */
type ZstdCompressZlib = ZstdZlib & Parameters<typeof reusedZstdCompressor>[0];

/**
 * This thread's zstd compressor at level 3: one context kept for every call (see
 * _zstd-context.ts), its frames byte-identical to `zstdCompressSync`'s. Internal.
 */
export const zstdLevel3 = nativeZstd && reusedZstdCompressor(nativeZstd as ZstdCompressZlib, 3);

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
  reads: nodeDeflateRawReader.reads!,
  // Inputs over 256 MiB (never a chunk) go to zlib's fastest level.
  compress: (data) =>
    data.length <= MAX_WASM_DEFLATE_INPUT
      ? wasmDeflateSync(data)
      : asBytes(deflateRawSync(data, { level: 1, strategy: constants.Z_DEFAULT_STRATEGY })),
  decompress: nodeDeflateRawReader.decompress,
};

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
