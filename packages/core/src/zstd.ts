import { ZSTDDecoder } from 'zstddec';
import type { CompressionDecoder } from './compression';

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

let decoder: ZSTDDecoder | undefined;
let loading: Promise<ZSTDDecoder> | undefined;

function load(): Promise<ZSTDDecoder> {
  loading ??= (async () => {
    const d = new ZSTDDecoder();
    await d.init();
    decoder = d;
    return d;
  })();
  return loading;
}

function decode(d: ZSTDDecoder, data: Uint8Array, rawLength: number): Uint8Array {
  // The decoder reports a damaged frame as a short (or empty) result, never as an exception:
  // the length check is what catches it.
  const out = d.decode(data, rawLength);
  if (out.length !== rawLength)
    throw new RangeError(`zstd frame does not decode to its recorded length ${rawLength}`);
  return out;
}

/**
 * Zstandard decoder for every runtime (browsers, Deno, Node 20): the WebAssembly build of the
 * reference decoder in the `zstddec` package, about 470 MB/s on mixed data here (see
 * docs/format.md for the candidates measured). It only decodes; a writer without a native zstd
 * encoder writes deflate-raw instead. Synchronous once its module has loaded (the first call
 * waits for it). Node ≥ 22.15 decodes natively with `nodeZstd` from `@kluis/core/node`.
 *
 * @example
 * ```ts
 * const plain = await portableZstd.decompress(frame, rawLength);
 * ```
 */
export const portableZstd: CompressionDecoder = {
  id: CODEC_ZSTD,
  name: 'zstd',
  decompress(data, rawLength) {
    if (!Number.isSafeInteger(rawLength) || rawLength < 1 || rawLength > MAX_RAW)
      throw new RangeError(`zstd blob claims an impossible length ${rawLength}`);
    if (decoder) return decode(decoder, data, rawLength);
    return load().then((d) => decode(d, data, rawLength));
  },
};
