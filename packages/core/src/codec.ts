// The codec contract, apart from the codecs themselves so that each codec's module imports it
// without importing the others.

/**
 * Per-blob compression. The codec of every blob is recorded in its pack header and index entry,
 * so codecs can be added without breaking readers. Writers use zstd where the runtime compresses
 * it natively (`nodeZstd` in `@kluis/core/node`, Node ≥ 22.15) and raw DEFLATE (RFC 1951)
 * elsewhere; every reader decodes both (see docs/format.md for the rule and the measurements).
 *
 * @example
 * ```ts
 * const identity: CompressionCodec = { id: 0, name: 'none', compress: (d) => d, decompress: (d) => d };
 * ```
 */
export interface CompressionCodec extends CompressionDecoder {
  compress(data: Uint8Array): Promise<Uint8Array> | Uint8Array;
  /**
   * Optional: decoders of the other codecs this one reads. A repository can hold blobs of
   * several codecs (each writer picks by its runtime, see docs/format.md), so a reader needs
   * them all: the codecs of this package read every codec of the format.
   */
  readonly reads?: readonly CompressionDecoder[];
}

/**
 * The reading half of a {@link CompressionCodec}: enough for a codec a runtime can decode but
 * not encode (zstd in browsers and Node 20).
 *
 * @example
 * ```ts
 * const identity: CompressionDecoder = { id: 0, name: 'none', decompress: (d) => d };
 * ```
 */
export interface CompressionDecoder {
  /** Codec id stored with each blob: 0 none, 1 deflate-raw, 2 zstd. */
  readonly id: number;
  readonly name: string;
  /** Decompresses, refusing output longer than `rawLength` (bounds memory on hostile input). */
  decompress(data: Uint8Array, rawLength: number): Promise<Uint8Array> | Uint8Array;
}
