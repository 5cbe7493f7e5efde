// A pack written to storage while its blobs arrive, for transports with `openWriter`. Internal:
// used by BlobStore.
import type { Sha256Stream } from '../../crypto/provider';
import type { ObjectWriter } from '../../transport';
import type { BlobType } from '../format/layout';
import { encodePackHeader, type PackEntry } from '../format/pack';
import { AAD, type Sealer } from '../format/sealer';

/** A write is issued once this many contiguous bytes are waiting (or a gap comes). */
const PIECE = 1 << 20;
/** Bytes handed to the writer but not yet written, beyond which `add` waits. */
const IN_FLIGHT = 4 << 20;
/**
 * A sealed blob smaller than this that does not lie end to end with the piece before it is
 * copied into a piece of the stream's own. Without it a tree of small files (one small blob each,
 * from answers the store takes in no particular order) cost a write per blob or two: 14,831
 * writes for 30,000 files of 0.1–1.6 KB, measured, where a copy of a kilobyte costs ~0.1 µs.
 */
const COPY_BELOW = 64 << 10;
/** Own piece buffers kept for reuse once written. */
const SPARE_PIECES = 4;

interface Piece {
  bytes: Uint8Array;
  done: (() => void)[];
  /** For a piece of the stream's own: its whole buffer, which `bytes` is the start of. */
  room?: Uint8Array;
}

/**
 * Same layout as `PackWriter` (`blob₁ ‖ … ‖ blobₙ ‖ sealed header ‖ header length`), but the
 * bytes go to an {@link ObjectWriter} as they come, hashed on the way, instead of into a
 * pack-sized buffer: no 16 MiB buffer per pack, and no copy of every blob into one. Sealed blobs
 * that lie end to end in one buffer (an encoder thread's answer holds a whole batch) go out as one
 * write. A blob's `done` runs once its bytes are written, so the encoder may reuse its memory.
 */
export class PackStream {
  readonly #hash: Sha256Stream;
  #entries: PackEntry[] = [];
  #size = 0;
  #piece: Piece | undefined;
  #inFlight: { bytes: number; write: Promise<void> }[] = [];
  #inFlightBytes = 0;
  #failure: unknown;
  #spare: Uint8Array[] = [];

  constructor(
    readonly writer: ObjectWriter,
    readonly sealer: Sealer,
    readonly type: BlobType,
  ) {
    this.#hash = sealer.sha256Stream();
  }

  /** Bytes of blob data added so far. */
  get size(): number {
    return this.#size;
  }

  /** Number of blobs added so far. */
  get count(): number {
    return this.#entries.length;
  }

  /**
   * Adds a sealed blob. `done` runs once its bytes are written (or the pack failed); until then the
   * caller must not change them. Resolves when few enough bytes wait to be written; rejects with
   * the first failed write.
   */
  async add(entry: Omit<PackEntry, 'offset' | 'length' | 'type'>, sealed: Uint8Array, done?: () => void) {
    this.#throwIfFailed();
    this.#hash.update(sealed);
    this.#entries.push({ ...entry, type: this.type, offset: this.#size, length: sealed.length });
    this.#size += sealed.length;
    const p = this.#piece;
    if (
      p &&
      !p.room &&
      p.bytes.buffer === sealed.buffer &&
      p.bytes.byteOffset + p.bytes.length === sealed.byteOffset
    ) {
      p.bytes = new Uint8Array(p.bytes.buffer, p.bytes.byteOffset, p.bytes.length + sealed.length);
      if (done) p.done.push(done);
    } else if (p && sealed.length < COPY_BELOW && (p.room || p.bytes.length < COPY_BELOW)) {
      // A small blob after a small piece: both go into a piece of the stream's own (a blob that
      // follows its neighbour in one buffer, as in an encoder's answer, still goes out uncopied).
      const own = this.#ownPiece(sealed.length);
      const at = own.bytes.length;
      own.room!.set(sealed, at);
      own.bytes = own.room!.subarray(0, at + sealed.length);
      done?.(); // copied: the caller's memory is free at once
    } else {
      this.#issue();
      this.#piece = { bytes: sealed, done: done ? [done] : [] };
    }
    if (this.#piece!.bytes.length >= PIECE) this.#issue();
    while (this.#inFlightBytes > IN_FLIGHT) {
      const oldest = this.#inFlight[0]!;
      await oldest.write;
      this.#throwIfFailed();
    }
  }

  /**
   * Writes the sealed header and its length, and returns the pack's ID (the SHA-256 of all its
   * bytes) and entries. The writes may still be under way: see `settled`.
   */
  finish(): { id: Uint8Array; entries: PackEntry[] } {
    this.#throwIfFailed();
    this.#issue();
    const header = this.sealer.seal(encodePackHeader(this.#entries), AAD.packHeader);
    const tail = new Uint8Array(header.length + 4);
    tail.set(header);
    new DataView(tail.buffer).setUint32(header.length, header.length, true);
    this.#hash.update(tail);
    this.#send({ bytes: tail, done: [] });
    return { id: this.#hash.digest(), entries: this.#entries };
  }

  /** Waits for every write; rejects with the first that failed. Call before committing. */
  async settled(): Promise<void> {
    this.#issue();
    await Promise.all(this.#inFlight.map((f) => f.write));
    this.#throwIfFailed();
  }

  /**
   * The current piece as one of the stream's own with room for `more` bytes: a borrowed piece
   * is copied into one (and its blobs released), a full one is issued first.
   */
  #ownPiece(more: number): Piece {
    const p = this.#piece;
    if (p?.room && p.bytes.length + more <= p.room.length) return p;
    if (p?.room) this.#issue();
    const room = this.#spare.pop() ?? new Uint8Array(PIECE);
    const own: Piece = { bytes: room.subarray(0, 0), done: [], room };
    if (p && !p.room) {
      room.set(p.bytes);
      own.bytes = room.subarray(0, p.bytes.length);
      for (const d of p.done) d();
    }
    this.#piece = own;
    return own;
  }

  #issue(): void {
    const p = this.#piece;
    if (!p) return;
    this.#piece = undefined;
    this.#send(p);
  }

  #send(p: Piece): void {
    const record = {
      bytes: p.bytes.length,
      write: this.writer.write(p.bytes).then(
        () => {},
        (e: unknown) => {
          this.#failure ??= e;
        },
      ),
    };
    void record.write.then(() => {
      for (const d of p.done) d();
      if (p.room && this.#failure === undefined && this.#spare.length < SPARE_PIECES)
        this.#spare.push(p.room);
      this.#inFlightBytes -= record.bytes;
      this.#inFlight.splice(this.#inFlight.indexOf(record), 1);
    });
    this.#inFlight.push(record);
    this.#inFlightBytes += record.bytes;
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
