import * as zlib from 'node:zlib';
import { CODEC_DEFLATE_RAW, type CompressionCodec, type CompressionDecoder } from '../compression';
import { CODEC_ZSTD, portableZstd } from '../zstd';
import { reusedZstdDecompressor } from './_zstd-dcontext';

// The decoding half of the node:zlib codecs, apart from the encoders so that the decoder worker
// loads no compressor (the DEFLATE encoder's WebAssembly in particular).

const { inflateRawSync } = zlib;

/** node:zlib's zstd functions (Node ≥ 22.15 and 23.8), absent from older runtimes and their types. */
export interface ZstdZlib {
  zstdCompressSync(
    data: Uint8Array,
    o: { params: Record<number, number>; pledgedSrcSize: number; chunkSize: number },
  ): Buffer;
  zstdDecompressSync(data: Uint8Array, o: { maxOutputLength: number; chunkSize: number }): Buffer;
  createZstdDecompress: Parameters<typeof reusedZstdDecompressor>[0]['createZstdDecompress'];
}
// A namespace import and a feature test: a named import of a missing export fails to link on Node 20.
export const nativeZstd: ZstdZlib | undefined =
  typeof (zlib as Partial<ZstdZlib>).zstdCompressSync === 'function' &&
  typeof (zlib as Partial<ZstdZlib>).zstdDecompressSync === 'function'
    ? (zlib as unknown as ZstdZlib)
    : undefined;

/**
 * This thread's zstd decompressor: one context kept while frames decode cleanly, discarded after
 * any error (see _zstd-dcontext.ts); answers exactly as `zstdDecompressSync` did. Internal.
 */
export const zstdUnpacker = nativeZstd && reusedZstdDecompressor(nativeZstd);

/**
 * zstd decoding: native where node:zlib has it, else the portable WebAssembly decoder, so
 * every Node reads zstd blobs.
 */
export const zstdDecoder: CompressionDecoder = zstdUnpacker
  ? {
      id: CODEC_ZSTD,
      name: 'zstd',
      // One output buffer for the whole result, as for inflating (see nodeDeflateRaw); the
      // length is checked as the portable decoder checks it, so both behave alike.
      decompress: (data, rawLength) => zstdUnpacker.decompress(data, rawLength),
    }
  : portableZstd;

/** Reads what `nodeDeflateRaw` writes, and zstd blobs: `nodeDeflateRaw` without its compressor. */
export const nodeDeflateRawReader: Omit<CompressionCodec, 'compress'> = {
  id: CODEC_DEFLATE_RAW,
  name: 'deflate-raw',
  reads: [zstdDecoder],
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

/** A Buffer's bytes as a plain Uint8Array view. */
export function asBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
