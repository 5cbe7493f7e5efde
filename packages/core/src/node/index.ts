/**
 * @packageDocumentation
 * `@kluis/core/node`: the Node-only pieces of kluis (file-system source and restore target,
 * local-disk transport, native crypto provider, worker pool), and {@link nodeRepositoryOptions},
 * the preset that wires the fast ones into a repository in one call.
 *
 * @module @kluis/core/node
 */
export { nativeCrypto } from './crypto';
export type { FileCacheStoreOptions } from './file-cache-store';
export { fileCacheStore } from './file-cache-store';
export type { FsSource, FsSourceOptions } from './fs-source';
export { fsSource } from './fs-source';
export type { FsTargetOptions } from './fs-target';
export { fsTarget } from './fs-target';
export type { CleanupOptions, CleanupResult } from './local-cleanup';
export type { LocalTransport, LocalTransportOptions } from './local-transport';
export { localTransport } from './local-transport';
export type { NodeRepositoryPreset, NodeRepositoryPresetOptions } from './preset';
export { nodeRepositoryOptions } from './preset';
export type { WorkerBlobDecoderOptions } from './worker-decoder';
export { workerBlobDecoder } from './worker-decoder';
export type { WorkerBlobEncoderOptions } from './worker-encoder';
export { workerBlobEncoder } from './worker-encoder';
export { nodeCodec, nodeDeflateRaw, nodeZstd } from './zlib-codec';
