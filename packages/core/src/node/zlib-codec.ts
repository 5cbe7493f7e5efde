import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { CODEC_DEFLATE_RAW, type CompressionCodec } from '../compression';
import { MAX_WASM_DEFLATE_INPUT, wasmDeflateSync } from '../deflate/_encoder';

/**
 * Raw DEFLATE, synchronous: compressed by this package's WebAssembly encoder (the one of
 * `wasmDeflateRaw`: about twice as fast as node:zlib's fastest level on text, with slightly
 * smaller output; see docs/format.md), decompressed by node:zlib. Interoperates with the
 * web-standard codecs in `@kluis/core`.
 *
 * @example
 * ```ts
 * const repo = await openRepository(transport, { password, codec: nodeDeflateRaw });
 * ```
 */
export const nodeDeflateRaw: CompressionCodec = {
  id: CODEC_DEFLATE_RAW,
  name: 'deflate-raw',
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
