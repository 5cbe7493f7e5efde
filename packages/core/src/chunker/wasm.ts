import { FASTCDC_WASM_BASE64 } from './_fastcdc-wasm';
import { type CutBackend, collectCutPoints, WindowedChunker } from './_window';
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

interface FastcdcExports {
  memory: WebAssembly.Memory;
  gearTable(): number;
  windowBase(): number;
  configure(sHi: number, sLo: number, lHi: number, lLo: number): void;
  cut(ptr: number, length: number, minSize: number, avgSize: number, maxSize: number): number;
}

const PAGE = 65536;

/**
 * One module instance shared by all chunkers of a factory: one window in its memory, used by one
 * chunker at a time. Switching chunkers moves the previous owner's unfinished tail (< maxSize)
 * out to JavaScript, so a single active stream, the common case, never copies twice.
 */
class WasmRuntime implements CutBackend {
  private owner: WindowedChunker | undefined;
  private view: Uint8Array = new Uint8Array(0);
  private readonly base: number;

  constructor(private readonly x: FastcdcExports) {
    this.base = x.windowBase() >>> 0;
  }

  claim(owner: WindowedChunker): Uint8Array {
    if (this.owner === owner && this.view.buffer === this.x.memory.buffer) return this.view;
    if (this.owner !== owner) {
      this.owner?.evict(this.window());
      this.owner = owner;
      this.load(owner.options);
    }
    const needed = this.base + owner.capacity;
    const have = this.x.memory.buffer.byteLength;
    if (needed > have) this.x.memory.grow(Math.ceil((needed - have) / PAGE));
    // memory.grow detaches the old buffer: always take a fresh view.
    this.view = this.window();
    return this.view;
  }

  cut(start: number, length: number): number {
    const o = this.owner!.options;
    return this.x.cut(this.base + start, length, o.minSize, o.avgSize, o.maxSize);
  }

  private window(): Uint8Array {
    return new Uint8Array(this.x.memory.buffer, this.base);
  }

  private load(o: ResolvedOptions): void {
    // The module's table is little-endian u64: low word first.
    const words = new Uint32Array(this.x.memory.buffer, this.x.gearTable() >>> 0, 512);
    for (let i = 0; i < 256; i++) {
      words[2 * i] = o.gear[2 * i + 1]!;
      words[2 * i + 1] = o.gear[2 * i]!;
    }
    this.x.configure(o.masks[0], o.masks[1], o.masks[2], o.masks[3]);
  }
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
 * @example
 * ```ts
 * const factory = await loadChunker();
 * const chunker = factory.create({ minSize: 256 * 1024, avgSize: 1 << 20, maxSize: 4 << 20, gear });
 * for await (const piece of file) for (const chunk of chunker.push(piece)) await store(chunk);
 * for (const chunk of chunker.finish()) await store(chunk);
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
