import { jsZstd, loadWasmZstd, type ZstdDecode } from './_zstd-decoders';
import type { CompressionDecoder } from './codec';

/**
 * Codec id of Zstandard (RFC 8878) frames.
 *
 * @example
 * ```ts
 * portableZstd.id === CODEC_ZSTD; // true
 * ```
 */
export const CODEC_ZSTD = 2;

/** Largest plaintext a zstd blob may claim (the decoder allocates it up front). */
const MAX_RAW = 1 << 30;

let decode: ZstdDecode | undefined;
let loading: Promise<ZstdDecode> | undefined;

/** The wasm decoder, or the JavaScript one where WebAssembly cannot load (see _zstd-decoders). */
function load(): Promise<ZstdDecode> {
  loading ??= loadWasmZstd().then(
    (d) => (decode = d),
    () => (decode = jsZstd),
  );
  return loading;
}

/**
 * Zstandard decoder for every runtime (browsers, Deno, Node 20): the WebAssembly build of the
 * reference decoder in the `zstddec` package, about 470 MB/s on mixed data here (see
 * docs/format.md for the candidates measured), or where a Content Security Policy keeps
 * WebAssembly from loading, `fzstd` in plain JavaScript (~160 MB/s). It only decodes; a writer
 * without a native zstd encoder writes deflate-raw instead. Synchronous once its module has loaded (the first call
 * waits for it). Node ≥ 22.15 decodes natively with `nodeZstd` from `@kluis/core/node`.
 *
 * @example
 * ```ts
 * // `data` is one zstd frame (a blob stored with codec 2) whose plaintext is 4096 bytes long
 * const plain = await portableZstd.decompress(data, 4096);
 * ```
 */
export const portableZstd: CompressionDecoder = {
  id: CODEC_ZSTD,
  name: 'zstd',
  decompress(data, rawLength) {
    if (!Number.isSafeInteger(rawLength) || rawLength < 1 || rawLength > MAX_RAW)
      throw new RangeError(`zstd blob claims an impossible length ${rawLength}`);
    if (decode) return decode(data, rawLength);
    return load().then((d) => d(data, rawLength));
  },
};
