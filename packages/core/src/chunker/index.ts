/**
 * FastCDC 2020 content-defined chunking: a WebAssembly build ({@link loadChunker}) and a pure
 * TypeScript reference ({@link referenceChunker}) with identical cut points.
 * @module
 */
export type { GearTable } from './gear';
export { GEAR_KEY_INFO, keyedGearTable, standardGearTable } from './gear';
export type { ChunkerOptions } from './options';
export { assertChunkerOptions } from './options';
export type { StreamChunker } from './reference';
export { referenceChunker } from './reference';
export type { ChunkStreamOptions } from './stream';
export { chunkStream, cutPoints } from './stream';
export type { ChunkerFactory } from './wasm';
export { loadChunker } from './wasm';
