/**
 * @packageDocumentation
 * `@kluis/core`: content-defined chunking, keyed content IDs, authenticated encryption, key slots,
 * the repository format and the backup / restore / check / prune engine. Browser-safe: this entry
 * point uses web standards only. Node-only pieces are in `@kluis/core/node`; the transport
 * conformance suite is in `@kluis/core/testing`.
 */

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
