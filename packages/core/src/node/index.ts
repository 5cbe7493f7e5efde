/**
 * @packageDocumentation
 * `@kluis/core/node`: the Node-only pieces of kluis (file-system source and restore target,
 * local-disk transport, native crypto provider, worker pool).
 */
export { nativeCrypto } from './crypto';
export type { FileCacheStoreOptions } from './file-cache-store';
export { fileCacheStore } from './file-cache-store';
export type { FsSourceOptions } from './fs-source';
export { fsSource } from './fs-source';
export type { FsTargetOptions } from './fs-target';
export { fsTarget } from './fs-target';
export type { CleanupOptions, CleanupResult } from './local-cleanup';
export type { LocalTransport, LocalTransportOptions } from './local-transport';
export { localTransport } from './local-transport';
export type { WorkerBlobDecoderOptions } from './worker-decoder';
export { workerBlobDecoder } from './worker-decoder';
export type { WorkerBlobEncoderOptions } from './worker-encoder';
export { workerBlobEncoder } from './worker-encoder';
export { nodeCodec, nodeDeflateRaw, nodeZstd } from './zlib-codec';
