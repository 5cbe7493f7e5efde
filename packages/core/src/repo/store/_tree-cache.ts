import type { Transport } from '../../transport';
import { objectKey } from '../format/layout';
import type { BlobIndex } from './blob-index';

/** Bytes of tree-pack spans kept in memory at most (least recently used dropped first). */
const BUDGET = 64 << 20;

/**
 * Tree blobs are written into packs of their own, so walking a snapshot's trees (a restore, a
 * check, the parent of an incremental backup) would otherwise cost one range read per directory:
 * thousands of small reads, each a round trip to remote storage. This cache reads the span of a
 * pack that holds tree blobs once and serves every tree in it from memory. Spans are only read
 * whole when they are mostly trees; anything else falls back to reading the one blob. Bytes served
 * from here are authenticated per blob by the caller exactly as a direct read would be.
 */
export class TreeSpanCache {
  #spans: Map<string, { start: number; end: number; bytes: number }> | undefined;
  #cache = new Map<string, Promise<Uint8Array>>();
  #sizes = new Map<string, number>();
  #bytes = 0;

  constructor(
    readonly transport: Transport,
    readonly index: BlobIndex,
  ) {}

  /** The sealed bytes of a tree blob at `offset`/`length` in `pack` (hex), or undefined to read it directly. */
  async get(
    pack: string,
    offset: number,
    length: number,
    signal?: AbortSignal,
  ): Promise<Uint8Array | undefined> {
    this.#spans ??= this.index.treeSpans();
    const span = this.#spans.get(pack);
    if (!span || offset < span.start || offset + length > span.end) return undefined;
    const size = span.end - span.start;
    if (size > BUDGET / 4 || span.bytes * 2 < size) return undefined;
    let bytes = this.#cache.get(pack);
    if (bytes) {
      this.#cache.delete(pack); // move to the most recently used end
      this.#cache.set(pack, bytes);
    } else {
      bytes = this.transport.get(objectKey('data', pack), {
        range: { offset: span.start, length: size },
        contents: 'tree', // a local cache (withCache) keeps the pack: read once per process, not per blob
        ...(signal ? { signal } : {}),
      });
      this.#cache.set(pack, bytes);
      this.#sizes.set(pack, size);
      this.#bytes += size;
      bytes.catch(() => this.#drop(pack));
      this.#evict();
    }
    const body = await bytes;
    return body.subarray(offset - span.start, offset - span.start + length);
  }

  /** Forgets the spans (after the index changed) and the cached bytes. */
  clear(): void {
    this.#spans = undefined;
    this.#cache.clear();
    this.#sizes.clear();
    this.#bytes = 0;
  }

  #evict(): void {
    for (const pack of this.#cache.keys()) {
      if (this.#bytes <= BUDGET || this.#cache.size <= 1) return;
      this.#drop(pack);
    }
  }

  #drop(pack: string): void {
    if (!this.#cache.delete(pack)) return;
    this.#bytes -= this.#sizes.get(pack) ?? 0;
    this.#sizes.delete(pack);
  }
}
