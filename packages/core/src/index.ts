/**
 * @packageDocumentation
 * `@kluis/core`: content-defined chunking, keyed content IDs, authenticated encryption, key slots,
 * the repository format and the backup / restore / check / prune engine. Browser-safe: this entry
 * point uses web standards only. Node-only pieces are in `@kluis/core/node`; the transport
 * conformance suite is in `@kluis/core/testing`.
 */

export type {
  ChunkerFactory,
  ChunkerOptions,
  ChunkStreamOptions,
  GearTable,
  StreamChunker,
} from './chunker/index';
export {
  assertChunkerOptions,
  chunkStream,
  cutPoints,
  GEAR_KEY_INFO,
  keyedGearTable,
  loadChunker,
  referenceChunker,
  standardGearTable,
} from './chunker/index';
export type { CompressionCodec, CompressionDecoder } from './codec';
export { CODEC_DEFLATE_RAW, CODEC_NONE, compressAuto, decoderFor, webDeflateRaw } from './compression';
export { fromHex, toHex } from './crypto/hex';
export type { CreateKeySlotOptions, KeySlot, OpenKeySlotOptions } from './crypto/key-slot';
export {
  createKeySlot,
  DEFAULT_MAX_SCRYPT_MEMORY,
  DEFAULT_SCRYPT_PARAMS,
  KEY_SLOT_AAD,
  keySlotId,
  openKeySlot,
  parseKeySlot,
  rewrapKeySlot,
  serializeKeySlot,
} from './crypto/key-slot';
export { portableCrypto } from './crypto/portable';
export type { CryptoProvider, ScryptParams, Sha256Stream } from './crypto/provider';
export { KEY_LENGTH, NONCE_LENGTH, TAG_LENGTH } from './crypto/provider';
export type { CalibrateScryptOptions } from './crypto/scrypt-calibration';
export { calibrateScrypt, MIN_CALIBRATED_N } from './crypto/scrypt-calibration';
export { open, SEAL_OVERHEAD, seal, sealWithNonce } from './crypto/seal';
export type { Subkeys } from './crypto/subkeys';
export { blobId, deriveSubkeys, SUBKEY_INFO, SUBKEY_SALT } from './crypto/subkeys';
export { wasmDeflateRaw } from './deflate/codec';
export type { ErrorCode, KluisErrorOptions, ValidationIssue } from './errors';
export { ERROR_CODES, IntegrityError, KluisError, throwIfAborted, ValidationError } from './errors';
export { globMatcher } from './glob';
export type { MemoryTransportOptions } from './memory-transport';
export { memoryTransport, sliceRange } from './memory-transport';
export type { BackupResult } from './repo/backup/backup';
export { backup } from './repo/backup/backup';
export type { BackupEvent, BackupOptions } from './repo/backup/options';
export type { BackupSource, SourceEntry } from './repo/backup/source';
export type { StreamSourceOptions } from './repo/backup/stream-source';
export { streamSource } from './repo/backup/stream-source';
export type { AffectedFile, CheckOptions, CheckProblem, CheckReport } from './repo/check/check';
export { check } from './repo/check/check';
export { dumpTar, fileContent, findPath } from './repo/dump';
export type { FindOptions, FoundFile } from './repo/find';
export { findFiles } from './repo/find';
export type { ChunkerParams, RepositoryConfig } from './repo/format/config';
export { decodeConfig, encodeConfig, FORMAT_VERSION } from './repo/format/config';
export type { IndexFile, IndexPack } from './repo/format/index-file';
export { decodeIndexFile, encodeIndexFile } from './repo/format/index-file';
export type { BlobType } from './repo/format/layout';
export type { PackEntry } from './repo/format/pack';
export { decodePackHeader, encodePackHeader } from './repo/format/pack';
export type { Snapshot, SnapshotSummary } from './repo/format/snapshot';
export { decodeSnapshot, encodeSnapshot } from './repo/format/snapshot';
export type { TreeNode } from './repo/format/tree';
export { decodeTree, encodeTree, isSafeName } from './repo/format/tree';
export type { ForgetCapacity, ForgetOptions, ForgetResult, ForgetSelection } from './repo/prune/forget';
export { forget } from './repo/prune/forget';
export type { PruneOptions, PruneReport } from './repo/prune/prune';
export { prune } from './repo/prune/prune';
export type { InitOptions, KeyInfo, RepositoryOptions } from './repo/repository';
export { DEFAULT_CHUNKER, initRepository, openRepository, Repository } from './repo/repository';
export type { RestoreEvent, RestoreOptions, RestoreResult, RestoreTarget } from './repo/restore/restore';
export { restore } from './repo/restore/restore';
export type {
  BlobDecoder,
  BlobDecoderFactory,
  BlobDecoderOptions,
  NativeFile,
  NativeFileWrite,
  RunBlob,
  SealedRun,
} from './repo/store/blob-decoder';
export { inlineBlobDecoder } from './repo/store/blob-decoder';
export type { BlobEncoder, BlobEncoderFactory, EncodedBlob } from './repo/store/blob-encoder';
export { inlineBlobEncoder } from './repo/store/blob-encoder';
export type { BlobLocation } from './repo/store/blob-index';
export { BlobIndex } from './repo/store/blob-index';
export type { BlobStoreOptions, SaveOptions, SaveResult } from './repo/store/blob-store';
export { BlobStore } from './repo/store/blob-store';
export type { DamagedObject } from './repo/store/damaged';
export type { SnapshotRef } from './repo/store/snapshot-store';
export { SnapshotStore } from './repo/store/snapshot-store';
export type { TagChange, TagResult } from './repo/tag';
export { tagSnapshots } from './repo/tag';
export type { TreeClaim } from './repo/tree-claim';
export { MAX_TREE_BYTES, MAX_TREE_ENTRIES, measureTree } from './repo/tree-claim';
export { walkTree } from './repo/walk';
export type { TarEntry } from './tar';
export { tarStream } from './tar';
export type {
  AbortOptions,
  GetOptions,
  ObjectInfo,
  ObjectWriter,
  PutOptions,
  Transport,
  TransportCapabilities,
} from './transport';
export { assertKey, assertPrefix } from './transport';
export type { CacheStore, MemoryCacheStoreOptions } from './transport-wrappers/cache-store';
export { memoryCacheStore } from './transport-wrappers/cache-store';
export type { TransportOp } from './transport-wrappers/operation';
export { TRANSPORT_OPS } from './transport-wrappers/operation';
export type { CacheKind, CacheOptions } from './transport-wrappers/with-cache';
export { withCache } from './transport-wrappers/with-cache';
export { withLimit } from './transport-wrappers/with-limit';
export type {
  MeteredTransport,
  MetricsOptions,
  OperationMetrics,
  TransportMetrics,
} from './transport-wrappers/with-metrics';
export { withMetrics } from './transport-wrappers/with-metrics';
export type { RetryEvent, RetryOptions } from './transport-wrappers/with-retry';
export { withRetry } from './transport-wrappers/with-retry';
export { CODEC_ZSTD, portableZstd } from './zstd';
