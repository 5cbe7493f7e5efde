/**
 * @packageDocumentation
 * `@kluis/core`: what an application embedding kluis needs — create and open a repository, back
 * up, restore, check, forget and prune, list / find / dump files of a snapshot, measure trees,
 * transports and their wrappers, and the errors all of it throws. Browser-safe: this entry point
 * uses web standards only.
 *
 * The other entry points: `@kluis/core/node` (file system, local disk, native crypto, worker
 * threads and the `nodeRepositoryOptions` preset), `@kluis/core/format` (the repository format's
 * codecs, stores, chunker, compression and constants), `@kluis/core/crypto` (sealing, key slots,
 * subkeys, crypto providers) and `@kluis/core/testing` (the transport conformance suite).
 *
 * @module @kluis/core
 */

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
export type { Snapshot, SnapshotSummary } from './repo/format/snapshot';
export type { TreeNode } from './repo/format/tree';
export type { ForgetCapacity, ForgetOptions, ForgetResult, ForgetSelection } from './repo/prune/forget';
export { forget } from './repo/prune/forget';
export type { PruneOptions, PruneReport } from './repo/prune/prune';
export { prune } from './repo/prune/prune';
export type { InitOptions, KeyInfo, RepositoryOptions } from './repo/repository';
export { DEFAULT_CHUNKER, initRepository, openRepository, Repository } from './repo/repository';
export type { RestoreEvent, RestoreOptions, RestoreResult, RestoreTarget } from './repo/restore/restore';
export { restore } from './repo/restore/restore';
export type { DamagedObject } from './repo/store/damaged';
export type { SnapshotRef } from './repo/store/snapshot-store';
export type { TagChange, TagResult } from './repo/tag';
export { tagSnapshots } from './repo/tag';
export type { TreeClaim } from './repo/tree-claim';
export { measureTree } from './repo/tree-claim';
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
