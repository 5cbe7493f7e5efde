import { collectCutPoints } from './_window';
import { type ChunkerOptions, resolveOptions } from './options';
import { referenceChunker, referenceWindow, type StreamChunker } from './reference';
import { type ChunkerFactory, loadChunker } from './wasm';

/**
 * Options of {@link chunkStream}: chunker settings plus which implementation runs them.
 *
 * @example
 * ```ts
 * const options: ChunkStreamOptions = { minSize: 4096, avgSize: 16384, maxSize: 65536, implementation: 'reference' };
 * ```
 */
export type ChunkStreamOptions = ChunkerOptions & {
  /** `'wasm'` (default, fast) or `'reference'` (pure TypeScript); both give the same chunks. */
  implementation?: 'wasm' | 'reference';
};

/**
 * Splits a stream of byte pieces into content-defined chunks (FastCDC 2020). Pieces may have
 * any sizes, including empty; the chunks are the same whatever the split. Options are checked
 * before the first piece is read.
 *
 * @example
 * ```ts
 * import { createReadStream } from 'node:fs';
 *
 * const gear = keyedGearTable(chunkerKey);
 * for await (const chunk of chunkStream(createReadStream('/data/disk.img'), { minSize: 256 * 1024, avgSize: 1 << 20, maxSize: 4 << 20, gear })) {
 *   await save(chunk);
 * }
 * ```
 */
export function chunkStream(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ChunkStreamOptions,
): AsyncIterable<Uint8Array> {
  const { implementation = 'wasm', ...chunkerOptions } = options;
  if (implementation !== 'wasm' && implementation !== 'reference') {
    throw new RangeError(`chunkStream option implementation must be 'wasm' or 'reference'`);
  }
  // Validate now, so bad options fail at the call rather than at the first iteration.
  resolveOptions(chunkerOptions);
  return run(source, chunkerOptions, implementation);
}

async function* run(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ChunkerOptions,
  implementation: 'wasm' | 'reference',
): AsyncGenerator<Uint8Array> {
  const chunker: StreamChunker =
    implementation === 'wasm' ? (await loadChunker()).create(options) : referenceChunker(options);
  for await (const piece of source) yield* chunker.push(piece);
  yield* chunker.finish();
}

/**
 * The chunk end offsets of `data` (the last equals `data.length`; `[]` for empty data), computed
 * synchronously by the reference implementation, or by a loaded WebAssembly `factory`.
 *
 * @example
 * ```ts
 * cutPoints(data, { minSize: 4096, avgSize: 16384, maxSize: 65536 }); // e.g. [21325, 38465, ...]
 * cutPoints(data, { minSize: 4096, avgSize: 16384, maxSize: 65536, factory: await loadChunker() });
 * ```
 */
export function cutPoints(
  data: Uint8Array,
  options: ChunkerOptions & { factory?: ChunkerFactory },
): number[] {
  const { factory, ...chunkerOptions } = options;
  if (factory !== undefined) return factory.cutPoints(data, chunkerOptions);
  return collectCutPoints(referenceWindow(chunkerOptions), data);
}
