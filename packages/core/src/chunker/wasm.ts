import { FASTCDC_WASM_BASE64 } from './_fastcdc-wasm';
import { type FastcdcExports, WasmRuntime } from './_wasm-runtime';
import { collectCutPoints, WindowedChunker } from './_window';
import { type ChunkerOptions, type ResolvedOptions, resolveOptions } from './options';
import { type StreamChunker, streamChunker } from './reference';

/**
 * Creates WebAssembly FastCDC chunkers; obtained from {@link loadChunker}.
 *
 * @example
 * ```ts
 * const factory = await loadChunker();
 * const chunker = factory.create({ minSize: 256 * 1024, avgSize: 1 << 20, maxSize: 4 << 20 });
 * ```
 */
export interface ChunkerFactory {
  /** A new streaming chunker (throws RangeError / TypeError on invalid options). */
  create(options: ChunkerOptions): StreamChunker;
  /** End offsets of the chunks of `data` (the last equals `data.length`; `[]` when empty). */
  cutPoints(data: Uint8Array, options: ChunkerOptions): number[];
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function wrap(runtime: WasmRuntime, options: ResolvedOptions): WindowedChunker {
  return new WindowedChunker(runtime, options);
}

async function instantiate(): Promise<ChunkerFactory> {
  const module = await WebAssembly.compile(decodeBase64(FASTCDC_WASM_BASE64));
  const instance = await WebAssembly.instantiate(module);
  const runtime = new WasmRuntime(instance.exports as unknown as FastcdcExports);
  return {
    create(options: ChunkerOptions): StreamChunker {
      return streamChunker(wrap(runtime, resolveOptions(options)));
    },
    cutPoints(data: Uint8Array, options: ChunkerOptions): number[] {
      return collectCutPoints(wrap(runtime, resolveOptions(options)), data);
    },
  };
}

let loading: Promise<ChunkerFactory> | undefined;

/**
 * Instantiates the embedded FastCDC WebAssembly module (once; later calls return the same
 * factory). Works in Node and browsers without fetching anything; browsers with a Content
 * Security Policy need `'wasm-unsafe-eval'`. Cut points are identical to
 * {@link referenceChunker}'s.
 *
 * Memory: the module keeps one window of `2 × maxSize + 1 MiB` per stream being chunked (one
 * that has been pushed to and not finished), for up to six streams at once; beyond that, the
 * least recently used stream's unfinished tail is set aside in JavaScript until it resumes.
 * WebAssembly memory never shrinks, so the module's size is that of the busiest moment.
 *
 * @example
 * ```ts
 * const factory = await loadChunker();
 * const gear = keyedGearTable(chunkerKey);
 * const chunker = factory.create({ minSize: 256 * 1024, avgSize: 1 << 20, maxSize: 4 << 20, gear });
 * for (const piece of pieces) for (const chunk of chunker.push(piece)) await save(chunk);
 * for (const chunk of chunker.finish()) await save(chunk);
 * ```
 */
export function loadChunker(): Promise<ChunkerFactory> {
  if (loading === undefined) {
    loading = instantiate();
    // A failed load may be retried.
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}
