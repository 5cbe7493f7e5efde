import type { ResolvedOptions } from './options';

/** Receives each chunk found as a range of the window view. */
export type ChunkSink = (window: Uint8Array, start: number, length: number) => void;

/** Where a {@link WindowedChunker} keeps its window and how it finds cut points in it. */
export interface CutBackend {
  /**
   * Makes the window usable by `owner` (evicting another owner if the window is shared) and
   * returns a view of it with at least `owner.capacity` bytes. Views may change between calls.
   */
  claim(owner: WindowedChunker): Uint8Array;
  /** Length of the chunk starting at window offset `start`, with `length` bytes available. */
  cut(start: number, length: number): number;
  /** Called when `owner` holds no bytes any more (its stream finished): its window is free. */
  release(owner: WindowedChunker): void;
}

/**
 * Window size for a maximum chunk size: room for the unfinished tail (< maxSize) plus enough new
 * bytes that moving the tail to the front stays a small fraction of the copying.
 */
export function windowCapacity(maxSize: number): number {
  return 2 * maxSize + 1024 * 1024;
}

/** Backends in the middle of a scan (see {@link WindowedChunker.exclusive}). */
const busy = new WeakSet<CutBackend>();

/**
 * Streaming cut-point search over a bounded window. The search for a chunk runs only once at
 * least maxSize bytes are buffered (or at the end of the stream), so cut points never depend on
 * how the input was split into pieces.
 */
export class WindowedChunker {
  readonly capacity: number;
  private start = 0;
  private end = 0;
  private spilled: Uint8Array | undefined;

  constructor(
    private readonly backend: CutBackend,
    readonly options: ResolvedOptions,
    capacity = windowCapacity(options.maxSize),
  ) {
    this.capacity = capacity;
  }

  /** Adds `data`, reporting every chunk that is now complete. */
  scan(data: Uint8Array, sink: ChunkSink): void {
    // Nothing to do for an empty piece: do not claim (and perhaps allocate) a window for it.
    if (data.length > 0) this.exclusive(() => this.scanData(data, sink));
  }

  /** Reports the remaining bytes as chunks (the last possibly below minSize) and resets. */
  finish(sink: ChunkSink): void {
    this.exclusive(() => {
      if (this.end > this.start || this.spilled !== undefined) this.drain(this.acquire(), 1, sink);
      this.start = 0;
      this.end = 0;
      this.backend.release(this);
    });
  }

  /**
   * Runs `work` unless this backend is already busy: a sink that lends views of the window must
   * not let another chunker move the bytes under them.
   */
  private exclusive(work: () => void): void {
    if (busy.has(this.backend)) {
      // A programmer mistake, hence a TypeError rather than a KluisError.
      throw new TypeError(
        'chunker re-entered: do not push to a chunker of the same factory from a chunk callback',
      );
    }
    busy.add(this.backend);
    try {
      work();
    } finally {
      busy.delete(this.backend);
    }
  }

  private scanData(data: Uint8Array, sink: ChunkSink): void {
    const window = this.acquire();
    const max = this.options.maxSize;
    let offset = 0;
    while (offset < data.length) {
      if (this.end === this.capacity) this.compact(window);
      const n = Math.min(this.capacity - this.end, data.length - offset);
      window.set(data.subarray(offset, offset + n), this.end);
      this.end += n;
      offset += n;
      this.drain(window, max, sink);
    }
  }

  /** Moves the unfinished tail out of a shared window (called by the backend). */
  evict(window: Uint8Array): void {
    this.spilled = this.end > this.start ? window.slice(this.start, this.end) : undefined;
    this.start = 0;
    this.end = 0;
  }

  private acquire(): Uint8Array {
    const window = this.backend.claim(this);
    if (this.spilled !== undefined) {
      window.set(this.spilled, 0);
      this.end = this.spilled.length;
      this.spilled = undefined;
    }
    return window;
  }

  private drain(window: Uint8Array, needed: number, sink: ChunkSink): void {
    while (this.end - this.start >= needed) {
      const n = this.backend.cut(this.start, this.end - this.start);
      sink(window, this.start, n);
      this.start += n;
    }
  }

  private compact(window: Uint8Array): void {
    window.copyWithin(0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
  }
}

/** A sink collecting caller-owned copies of the chunks. */
export function collectCopies(into: Uint8Array[]): ChunkSink {
  return (window, start, length) => {
    into.push(window.slice(start, start + length));
  };
}

/** A sink lending each chunk as a view of the window (valid only during the call). */
export function lendViews(visit: (chunk: Uint8Array) => void): ChunkSink {
  return (window, start, length) => {
    visit(window.subarray(start, start + length));
  };
}

/** Runs `data` through `inner` as one stream and returns the chunk end offsets. */
export function collectCutPoints(inner: WindowedChunker, data: Uint8Array): number[] {
  const points: number[] = [];
  let offset = 0;
  const sink = (_window: Uint8Array, _start: number, length: number): void => {
    offset += length;
    points.push(offset);
  };
  inner.scan(data, sink);
  inner.finish(sink);
  return points;
}
