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
export type { CryptoProvider, ScryptParams } from './crypto/provider';
export { KEY_LENGTH, NONCE_LENGTH, TAG_LENGTH } from './crypto/provider';
export type { CalibrateScryptOptions } from './crypto/scrypt-calibration';
export { calibrateScrypt, MIN_CALIBRATED_N } from './crypto/scrypt-calibration';
export { open, SEAL_OVERHEAD, seal, sealWithNonce } from './crypto/seal';
export type { Subkeys } from './crypto/subkeys';
export { blobId, deriveSubkeys, SUBKEY_INFO, SUBKEY_SALT } from './crypto/subkeys';
export type { ErrorCode, KluisErrorOptions, ValidationIssue } from './errors';
export { ERROR_CODES, IntegrityError, KluisError, throwIfAborted, ValidationError } from './errors';
export type { MemoryTransportOptions } from './memory-transport';
export { memoryTransport, sliceRange } from './memory-transport';
export type {
  AbortOptions,
  GetOptions,
  ObjectInfo,
  PutOptions,
  Transport,
  TransportCapabilities,
} from './transport';
export { assertKey, assertPrefix } from './transport';
export type { TransportOp } from './transport-wrappers/operation';
export { TRANSPORT_OPS } from './transport-wrappers/operation';
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
