/**
 * @packageDocumentation
 * `@kluis/core/format`: the repository format v1 piece by piece, for tools that read or write it
 * below the level of `backup` and `restore` — the content-defined chunker, compression codecs,
 * the encoders and decoders of config, index, pack header, snapshot and tree objects, the blob and
 * snapshot stores, blob encoders and decoders, hex ids and the format's limits. Browser-safe.
 * Applications use `@kluis/core`; the format itself is described in docs/format.md.
 *
 * @module @kluis/core/format
 */

export type {
  ChunkerFactory,
  ChunkerOptions,
  ChunkStreamOptions,
  GearTable,
  StreamChunker,
} from '../chunker/index';
export {
  assertChunkerOptions,
  chunkStream,
  cutPoints,
  GEAR_KEY_INFO,
  keyedGearTable,
  loadChunker,
  referenceChunker,
  standardGearTable,
} from '../chunker/index';
export type { CompressionCodec, CompressionDecoder } from '../codec';
export { CODEC_DEFLATE_RAW, CODEC_NONE, compressAuto, decoderFor, webDeflateRaw } from '../compression';
export { fromHex, toHex } from '../crypto/hex';
export { wasmDeflateRaw } from '../deflate/codec';
export { decodeConfig, encodeConfig, FORMAT_VERSION } from '../repo/format/config';
export type { IndexFile, IndexFileColumns, IndexPack } from '../repo/format/index-file';
export { decodeIndexFile, decodeIndexFileColumns, encodeIndexFile } from '../repo/format/index-file';
export type { BlobType } from '../repo/format/layout';
export type { PackEntry } from '../repo/format/pack';
export { decodePackHeader, encodePackHeader } from '../repo/format/pack';
export { decodeSnapshot, encodeSnapshot } from '../repo/format/snapshot';
export { decodeTree, encodeTree, isSafeName } from '../repo/format/tree';
export type {
  BlobDecoder,
  BlobDecoderFactory,
  BlobDecoderOptions,
  NativeFile,
  NativeFileWrite,
  RunBlob,
  SealedRun,
} from '../repo/store/blob-decoder';
export { inlineBlobDecoder } from '../repo/store/blob-decoder';
export type {
  BlobEncoder,
  BlobEncoderFactory,
  EncodedBlob,
  FileChunkHandler,
  FileEncoder,
} from '../repo/store/blob-encoder';
export { inlineBlobEncoder } from '../repo/store/blob-encoder';
export type { BlobLocation } from '../repo/store/blob-index';
export { BlobIndex } from '../repo/store/blob-index';
export type { BlobStoreOptions, SaveOptions, SaveResult } from '../repo/store/blob-store';
export { BlobStore } from '../repo/store/blob-store';
export { SnapshotStore } from '../repo/store/snapshot-store';
export { MAX_TREE_BYTES, MAX_TREE_ENTRIES } from '../repo/tree-claim';
export { CODEC_ZSTD, portableZstd } from '../zstd';
