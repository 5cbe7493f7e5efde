// Where the blob store puts one pack while it fills: a buffer uploaded with `put`, or a stream
// written through `openWriter`. Internal: used by BlobStore.
import type { Transport } from '../../transport';
import type { BlobType } from '../format/layout';
import { type PackBufferPool, type PackEntry, PackWriter, packFits } from '../format/pack';
import type { Sealer } from '../format/sealer';
import { PackStream } from './_pack-stream';

/** A blob as a sink takes it: where it lies in the pack is the sink's to decide. */
export type SinkEntry = Omit<PackEntry, 'offset' | 'length' | 'type'>;

/**
 * One pack being filled, then stored. Its life: `add` blobs (in the order they are to lie in the
 * pack), `finish` (seals the header; the pack's ID and entries are known from then on), then
 * `store` under the key the ID gives, or `abort` at any point. `abort` after `store` (when
 * indexing the stored pack failed) is allowed and does nothing harmful; a sink is never reused.
 */
export interface PackSink {
  /** Bytes of blob data added so far. */
  readonly size: number;
  /** Number of blobs added so far. */
  readonly count: number;
  /**
   * Whether a sealed blob of `length` bytes may join without the pack passing the sink's
   * capacity (header included). An empty sink takes any blob.
   */
  fits(length: number): boolean;
  /**
   * Adds a sealed blob. `release` runs once the sink no longer needs `sealed` (copied, or written,
   * or the pack failed); until then the caller must not change it. Rejects with the first failed
   * write of a streamed pack.
   */
  add(entry: SinkEntry, sealed: Uint8Array, release?: () => void): Promise<void>;
  /** Seals the header; returns the pack's ID (the SHA-256 of all its bytes) and its entries. */
  finish(): { id: Uint8Array; entries: PackEntry[] };
  /** Stores the finished pack under `key`; rejects with the failed write, upload or commit. */
  store(key: string): Promise<void>;
  /** Drops the pack: nothing is stored, and memory it holds goes back (to the pool, or the writer's). */
  abort(): Promise<void>;
}

/**
 * A pack written into a buffer from `pool` and uploaded with one `put`. Blobs are copied in as
 * they come (so `release` runs at once), and the buffer goes back to the pool once the upload
 * settled (transports keep no body after `put` settles). The buffer grows only for a blob that
 * does not fit in `capacity`, which `fits` lets the caller avoid.
 */
export class BufferedPackSink implements PackSink {
  readonly #writer: PackWriter;
  #bytes: Uint8Array | undefined;
  #returned = false;

  constructor(
    readonly transport: Pick<Transport, 'put'>,
    sealer: Sealer,
    type: BlobType,
    readonly pool: PackBufferPool,
    /** Most bytes a pack of more than one blob may take (see `fits`). */
    readonly capacity: number,
  ) {
    this.#writer = new PackWriter(sealer, type, pool);
  }

  get size(): number {
    return this.#writer.size;
  }

  get count(): number {
    return this.#writer.count;
  }

  fits(length: number): boolean {
    return packFits(this.size, this.count, length, this.capacity);
  }

  async add(entry: SinkEntry, sealed: Uint8Array, release?: () => void): Promise<void> {
    this.#writer.add(entry, sealed);
    release?.(); // copied into the pack (sealed is not read again)
  }

  finish(): { id: Uint8Array; entries: PackEntry[] } {
    const { bytes, entries } = this.#writer.finish();
    this.#bytes = bytes;
    return { id: this.#writer.sealer.sha256(bytes), entries };
  }

  async store(key: string): Promise<void> {
    try {
      await this.transport.put(key, this.#bytes!);
    } finally {
      this.#return();
    }
  }

  async abort(): Promise<void> {
    this.#return();
  }

  /** Gives the buffer back to the pool, once (a buffer given twice would back two packs). */
  #return(): void {
    if (this.#returned || !this.#bytes) return;
    this.#returned = true;
    this.pool.give(this.#bytes.buffer as ArrayBuffer);
  }
}

/**
 * A pack written to storage while it fills, through an `ObjectWriter` (see `PackStream`): no
 * pack-sized buffer, and no copy of each blob; `release` runs once the blob's bytes are written.
 * `store` waits for every write, then commits. `capacity` bounds it as it bounds a buffered pack,
 * so both produce the same packs from the same blobs.
 */
export class StreamedPackSink implements PackSink {
  constructor(
    readonly stream: PackStream,
    readonly capacity: number,
  ) {}

  /** Opens a writer on `transport` and streams a pack of `type` blobs into it. */
  static async open(
    transport: Pick<Transport, 'openWriter'>,
    sealer: Sealer,
    type: BlobType,
    capacity: number,
  ): Promise<StreamedPackSink> {
    return new StreamedPackSink(new PackStream(await transport.openWriter!(), sealer, type), capacity);
  }

  get size(): number {
    return this.stream.size;
  }

  get count(): number {
    return this.stream.count;
  }

  fits(length: number): boolean {
    return packFits(this.size, this.count, length, this.capacity);
  }

  add(entry: SinkEntry, sealed: Uint8Array, release?: () => void): Promise<void> {
    return this.stream.add(entry, sealed, release);
  }

  finish(): { id: Uint8Array; entries: PackEntry[] } {
    return this.stream.finish();
  }

  async store(key: string): Promise<void> {
    await this.stream.settled(); // a failed write fails the pack here, whatever the writer remembers
    await this.stream.writer.commit(key);
  }

  abort(): Promise<void> {
    return this.stream.writer.abort();
  }
}
