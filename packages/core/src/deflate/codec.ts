import { CODEC_DEFLATE_RAW, type CompressionCodec, webDeflateRaw } from '../compression';
import { loadWasmDeflate, MAX_WASM_DEFLATE_INPUT, wasmDeflateLoaded, wasmDeflateSync } from './encoder';

/**
 * Compresses with the WebAssembly encoder; the first call in a browser that forbids compiling
 * it synchronously waits for it to load instead, and where WebAssembly cannot run at all (a
 * Content Security Policy without `'wasm-unsafe-eval'`), `CompressionStream` does the work.
 */
function compress(data: Uint8Array): Uint8Array | Promise<Uint8Array> {
  if (data.length > MAX_WASM_DEFLATE_INPUT) return webDeflateRaw.compress(data);
  if (wasmDeflateLoaded()) return wasmDeflateSync(data);
  try {
    return wasmDeflateSync(data);
  } catch (e) {
    if (wasmDeflateLoaded()) throw e;
    return loadWasmDeflate().then(
      () => wasmDeflateSync(data),
      () => webDeflateRaw.compress(data),
    );
  }
}

/**
 * Raw DEFLATE (RFC 1951, codec id {@link CODEC_DEFLATE_RAW}) with this package's WebAssembly
 * encoder: synchronous, about twice as fast as zlib's fastest level on text, and slightly
 * smaller output (see docs/format.md). Decompression is the platform's own
 * `DecompressionStream('deflate-raw')`, as in {@link webDeflateRaw} (which reads zstd blobs too); any DEFLATE decoder reads
 * the output, and the encoder's output depends only on its input.
 *
 * The encoder module keeps about twice the largest input it has compressed in its memory, which
 * WebAssembly never returns. Inputs over 256 MiB go to `CompressionStream` instead.
 *
 * @example
 * ```ts
 * const packed = await wasmDeflateRaw.compress(bytes); // a Uint8Array, synchronously, once loaded
 * const back = await wasmDeflateRaw.decompress(packed, bytes.length);
 * ```
 */
export const wasmDeflateRaw: CompressionCodec = {
  id: CODEC_DEFLATE_RAW,
  name: 'deflate-raw',
  compress,
  decompress: webDeflateRaw.decompress,
  reads: webDeflateRaw.reads ?? [],
};
