import { concat } from './_bytes';
import type { CompressionCodec, CompressionDecoder } from './codec';
import { portableZstd } from './zstd';

export type { CompressionCodec, CompressionDecoder } from './codec';

/**
 * The decoder `codec` has for blobs stored with codec `id`: itself, one of its `reads`, or
 * undefined.
 *
 * @example
 * ```ts
 * decoderFor(webDeflateRaw, CODEC_ZSTD) === portableZstd; // true
 * ```
 */
export function decoderFor(
  codec: Omit<CompressionCodec, 'compress'>,
  id: number,
): CompressionDecoder | undefined {
  if (codec.id === id) return codec;
  return codec.reads?.find((d) => d.id === id);
}

/**
 * Codec id of uncompressed blobs.
 *
 * @example
 * ```ts
 * if (entry.codec === CODEC_NONE) plain = opened;
 * ```
 */
export const CODEC_NONE = 0;
/**
 * Codec id of raw DEFLATE (RFC 1951).
 *
 * @example
 * ```ts
 * webDeflateRaw.id === CODEC_DEFLATE_RAW; // true
 * ```
 */
export const CODEC_DEFLATE_RAW = 1;

/**
 * Raw DEFLATE through the web-standard `CompressionStream` (browsers, Deno, Node ≥ 18); reads
 * zstd blobs too, with {@link portableZstd}.
 * `wasmDeflateRaw` (and `nodeDeflateRaw` in `@kluis/core/node`) compresses much faster and
 * synchronously, with identical semantics (the bytes differ; each decodes the others' output).
 *
 * @example
 * ```ts
 * const packed = await webDeflateRaw.compress(bytes);
 * const back = await webDeflateRaw.decompress(packed, bytes.length);
 * ```
 */
export const webDeflateRaw: CompressionCodec = {
  id: CODEC_DEFLATE_RAW,
  name: 'deflate-raw',
  compress: (data) => pipe(data, new CompressionStream('deflate-raw'), Number.POSITIVE_INFINITY),
  decompress: (data, rawLength) => pipe(data, new DecompressionStream('deflate-raw'), rawLength),
  reads: [portableZstd],
};

async function pipe(
  data: Uint8Array,
  stream: CompressionStream | DecompressionStream,
  limit: number,
): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  const done = writer.write(data as Uint8Array<ArrayBuffer>).then(() => writer.close());
  done.catch(() => {});
  const parts: Uint8Array[] = [];
  let n = 0;
  const reader = stream.readable.getReader();
  for (;;) {
    const { value, done: end } = await reader.read();
    if (end) break;
    n += value.length;
    if (n > limit) {
      await reader.cancel();
      throw new RangeError(`decompressed data exceeds the recorded length ${limit}`);
    }
    parts.push(value);
  }
  await done;
  return concat(parts);
}

/** Bytes of a chunk sampled to decide whether compressing it is worthwhile. */
const SAMPLE = 4096;

/**
 * Compresses `data` unless it does not pay: a sample is compressed first and incompressible
 * data (already compressed media, encrypted files) is stored as is, costing ~0.5 % extra CPU
 * instead of a full compression pass. Returns the codec actually used.
 *
 * @example
 * ```ts
 * const { codec, bytes } = await compressAuto(webDeflateRaw, chunk);
 * ```
 */
export async function compressAuto(
  codec: CompressionCodec | undefined,
  data: Uint8Array,
): Promise<{ codec: number; bytes: Uint8Array }> {
  if (!codec || data.length < 64) return { codec: CODEC_NONE, bytes: data };
  if (data.length > 4 * SAMPLE) {
    const mid = data.length >>> 1;
    const sample = await codec.compress(data.subarray(mid, mid + SAMPLE));
    if (sample.length > SAMPLE * 0.9) return { codec: CODEC_NONE, bytes: data };
  }
  const c = await codec.compress(data);
  return c.length < data.length * 0.97 ? { codec: codec.id, bytes: c } : { codec: CODEC_NONE, bytes: data };
}

/**
 * {@link compressAuto} for a codec that compresses synchronously (node:zlib's, the wasm DEFLATE
 * encoder's): the same decision, the same bytes, for a caller that cannot await (a chunk lent by
 * the chunker for the length of a call). Internal: the whole-file worker threads use it.
 */
export function compressAutoSync(
  codec: { readonly id: number; compress(data: Uint8Array): Uint8Array } | undefined,
  data: Uint8Array,
): { codec: number; bytes: Uint8Array } {
  if (!codec || data.length < 64) return { codec: CODEC_NONE, bytes: data };
  if (data.length > 4 * SAMPLE) {
    const mid = data.length >>> 1;
    const sample = codec.compress(data.subarray(mid, mid + SAMPLE));
    if (sample.length > SAMPLE * 0.9) return { codec: CODEC_NONE, bytes: data };
  }
  const c = codec.compress(data);
  return c.length < data.length * 0.97 ? { codec: codec.id, bytes: c } : { codec: CODEC_NONE, bytes: data };
}
