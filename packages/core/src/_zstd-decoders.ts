// The two portable zstd decoders behind portableZstd. Internal.
import { decompress as fzstdDecompress } from 'fzstd';
import { ZSTDDecoder } from 'zstddec';

/** Decodes a zstd frame of `rawLength` bytes; never returns more than `rawLength` bytes. */
export type ZstdDecode = (data: Uint8Array, rawLength: number) => Uint8Array;

/**
 * The WebAssembly build of the reference decoder (zstddec): ~470 MB/s. It loads its module
 * through `fetch` of a `data:` URL, which a Content Security Policy restricting `connect-src`
 * refuses, as does one without `'wasm-unsafe-eval'`: then the loader rejects.
 */
export async function loadWasmZstd(): Promise<ZstdDecode> {
  const d = new ZSTDDecoder();
  await d.init();
  return (data, rawLength) => {
    // A damaged frame comes back short (or empty), never as an exception: check the length.
    const out = d.decode(data, rawLength);
    if (out.length !== rawLength)
      throw new RangeError(`zstd frame does not decode to its recorded length ${rawLength}`);
    return out;
  };
}

/**
 * fzstd, in plain JavaScript (~160 MB/s): runs wherever JavaScript does. It decodes into a
 * buffer of exactly `rawLength` bytes and cannot tell a frame that decodes shorter or longer;
 * the blob ID check after decompressing catches those, as it catches any other damage.
 */
export const jsZstd: ZstdDecode = (data, rawLength) => fzstdDecompress(data, new Uint8Array(rawLength));
