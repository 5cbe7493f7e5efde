import { IntegrityError, KluisError } from '../../errors';
import type { BlobType } from './layout';
import { AAD, type Sealer } from './sealer';

/** One blob inside a pack, as listed in the pack's header. */
export interface PackEntry {
  type: BlobType;
  /** Compression codec id (0 = none). */
  codec: number;
  /** Blob ID (32 bytes). */
  id: Uint8Array;
  /** Offset of the sealed blob from the start of the pack. */
  offset: number;
  /** Sealed length (nonce + ciphertext + tag). */
  length: number;
  /** Plaintext length after decompression. */
  rawLength: number;
}

/** Header layout: "KPK1" ‖ count u32 ‖ count × (type u8 ‖ codec u8 ‖ length u32 ‖ rawLength u32 ‖ id 32). */
const MAGIC = 0x4b504b31; // "KPK1"
const ENTRY = 42;
/** Packs with more blobs than this are refused (bounds allocation from untrusted bytes). */
export const MAX_PACK_BLOBS = 1 << 20;
/** Largest pack this implementation reads (bounds allocation from untrusted bytes). */
export const MAX_PACK_BYTES = 1 << 30;

/**
 * Serialises the header of a pack (before sealing).
 *
 * @example
 * ```ts
 * const plain = encodePackHeader(entries);
 * ```
 */
export function encodePackHeader(entries: readonly PackEntry[]): Uint8Array {
  const out = new Uint8Array(8 + entries.length * ENTRY);
  const v = new DataView(out.buffer);
  v.setUint32(0, MAGIC);
  v.setUint32(4, entries.length, true);
  let off = 8;
  for (const e of entries) {
    out[off] = e.type === 'tree' ? 1 : 0;
    out[off + 1] = e.codec;
    v.setUint32(off + 2, e.length, true);
    v.setUint32(off + 6, e.rawLength, true);
    out.set(e.id, off + 10);
    off += ENTRY;
  }
  return out;
}

/**
 * Parses a pack header's plaintext, checking every bound against `dataLength` (the bytes before
 * the header). Throws `INVALID_DATA` for anything malformed.
 *
 * @example
 * ```ts
 * const entries = decodePackHeader(plain, packLength - headerSealedLength - 4);
 * ```
 */
export function decodePackHeader(plain: Uint8Array, dataLength: number, where = 'pack'): PackEntry[] {
  const bad = (why: string) => new KluisError('INVALID_DATA', `malformed header in ${where}: ${why}`);
  if (plain.length < 8) throw bad('too short');
  const v = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  if (v.getUint32(0) !== MAGIC) throw bad('bad magic');
  const count = v.getUint32(4, true);
  if (count > MAX_PACK_BLOBS || plain.length !== 8 + count * ENTRY)
    throw bad(`count ${count} does not match size`);
  const entries: PackEntry[] = [];
  let off = 8;
  let pos = 0;
  for (let i = 0; i < count; i++, off += ENTRY) {
    const t = plain[off]!;
    if (t > 1) throw bad(`entry ${i} has unknown type ${t}`);
    const length = v.getUint32(off + 2, true);
    const rawLength = v.getUint32(off + 6, true);
    if (length < AAD_OVERHEAD || pos + length > dataLength) throw bad(`entry ${i} range out of bounds`);
    entries.push({
      type: t === 1 ? 'tree' : 'data',
      codec: plain[off + 1]!,
      id: plain.slice(off + 10, off + 42),
      offset: pos,
      length,
      rawLength,
    });
    pos += length;
  }
  if (pos !== dataLength) throw bad(`blobs cover ${pos} of ${dataLength} bytes`);
  return entries;
}

const AAD_OVERHEAD = 40;
/** Room for sealing the header (AEAD overhead) and its length field. */
const HEADER_SLACK = AAD_OVERHEAD + 4;

/**
 * Whether a pack holding `count` blobs in `size` bytes may take one more of `length` bytes and
 * stay within `capacity` bytes, header included. An empty pack takes any blob.
 */
export function packFits(size: number, count: number, length: number, capacity: number): boolean {
  if (count === 0) return true;
  return size + length + 8 + (count + 1) * ENTRY + HEADER_SLACK <= capacity;
}

/**
 * A small pool of pack-sized buffers. Packs are written straight into a pooled buffer and the
 * buffer comes back after the upload, so a long backup does not allocate (and page-fault) a fresh
 * 16 MiB buffer per pack.
 *
 * @example
 * ```ts
 * const pool = new PackBufferPool(16 << 20, 4);
 * const b = pool.take(); pool.give(b);
 * ```
 */
export class PackBufferPool {
  #free: ArrayBuffer[] = [];
  constructor(
    /** Capacity of each pooled buffer. */
    readonly capacity: number,
    /** How many free buffers to keep. */
    readonly keep: number,
  ) {}

  take(minimum = 0): ArrayBuffer {
    if (minimum > this.capacity) return new ArrayBuffer(minimum);
    return this.#free.pop() ?? new ArrayBuffer(this.capacity);
  }

  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === this.capacity && this.#free.length < this.keep) this.#free.push(buffer);
  }
}

/**
 * Accumulates sealed blobs into one pack: `blob₁ ‖ … ‖ blobₙ ‖ sealed header ‖ header length (u32 LE)`.
 * Blobs are copied into a (pooled) buffer as they arrive, so finishing a pack costs no copy.
 *
 * @example
 * ```ts
 * const w = new PackWriter(sealer, 'data', new PackBufferPool(16 << 20, 2));
 * w.add(entryWithoutOffset, sealedBytes);
 * const { bytes, entries } = w.finish();
 * ```
 */
export class PackWriter {
  #buf: Uint8Array | undefined;
  #entries: PackEntry[] = [];
  #size = 0;

  constructor(
    readonly sealer: Sealer,
    readonly type: BlobType,
    readonly pool: PackBufferPool,
  ) {}

  /** Bytes of blob data added so far. */
  get size(): number {
    return this.#size;
  }

  /** Number of blobs added so far. */
  get count(): number {
    return this.#entries.length;
  }

  /**
   * Whether a sealed blob of `length` bytes still fits in the pooled buffer, header included.
   * A writer with no blobs takes any blob (its buffer grows if it must).
   */
  fits(length: number): boolean {
    return packFits(this.#size, this.#entries.length, length, this.pool.capacity);
  }

  /** Adds a sealed blob (copied; the caller may reuse `sealed`). */
  add(entry: Omit<PackEntry, 'offset' | 'length' | 'type'>, sealed: Uint8Array): void {
    this.#reserve(sealed.length);
    this.#buf!.set(sealed, this.#size);
    this.#entries.push({ ...entry, type: this.type, offset: this.#size, length: sealed.length });
    this.#size += sealed.length;
  }

  /**
   * Seals the header and returns the pack's bytes (a view of a pooled buffer: hand
   * `bytes.buffer` back to the pool once the upload settled) and entries. The writer is empty
   * afterwards.
   */
  finish(): { bytes: Uint8Array; entries: PackEntry[] } {
    const header = this.sealer.seal(encodePackHeader(this.#entries), AAD.packHeader);
    this.#reserve(header.length + 4);
    const buf = this.#buf!;
    buf.set(header, this.#size);
    const end = this.#size + header.length;
    new DataView(buf.buffer, buf.byteOffset).setUint32(end, header.length, true);
    const result = { bytes: buf.subarray(0, end + 4), entries: this.#entries };
    this.#buf = undefined;
    this.#entries = [];
    this.#size = 0;
    return result;
  }

  #reserve(extra: number): void {
    const need = this.#size + extra;
    if (this.#buf && need <= this.#buf.length) return;
    const next = new Uint8Array(this.pool.take(Math.max(need, this.#buf ? 2 * this.#buf.length : 0)));
    if (this.#buf) next.set(this.#buf.subarray(0, this.#size));
    this.#buf = next;
  }
}

/**
 * Reads and authenticates the header at the end of a pack's bytes (whole pack or its tail).
 *
 * @example
 * ```ts
 * const entries = readPackHeader(sealer, packBytes, 'data/ab12…');
 * ```
 */
export function readPackHeader(
  sealer: Sealer,
  pack: Uint8Array,
  where: string,
  packLength = pack.length,
): PackEntry[] {
  if (pack.length < 4 + AAD_OVERHEAD)
    throw new IntegrityError(where, 'a pack header', `${pack.length} bytes`);
  const hl = new DataView(pack.buffer, pack.byteOffset, pack.byteLength).getUint32(pack.length - 4, true);
  if (hl + 4 > pack.length || hl < AAD_OVERHEAD)
    throw new IntegrityError(where, 'a valid header length', String(hl));
  const sealed = pack.subarray(pack.length - 4 - hl, pack.length - 4);
  const plain = sealer.open(sealed, AAD.packHeader, where);
  return decodePackHeader(plain, packLength - hl - 4, where);
}

/** How many trailing bytes to fetch to read a header of a pack with `count` blobs (upper bound). */
export function headerTailLength(count: number): number {
  return 4 + AAD_OVERHEAD + 8 + count * ENTRY;
}
