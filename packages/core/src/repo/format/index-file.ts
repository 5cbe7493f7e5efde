import { KluisError } from '../../errors';
import type { BlobType } from './layout';

/** A pack and the blobs it holds, as recorded in an index file. */
export interface IndexPack {
  /** Pack ID (32 bytes). */
  id: Uint8Array;
  blobs: {
    id: Uint8Array;
    type: BlobType;
    codec: number;
    offset: number;
    length: number;
    rawLength: number;
  }[];
}

/** Contents of one `index/<id>` file. */
export interface IndexFile {
  packs: IndexPack[];
  /** Packs found unreferenced by a prune, and when (ms since epoch); deleted after the grace period. */
  garbage: { pack: Uint8Array; markedAt: number }[];
  /** Index files whose content this file replaces; readers ignore them. */
  supersedes: Uint8Array[];
}

// Layout (all integers little-endian):
// "KIX1" | packCount u32 | packs: (id 32 | blobCount u32 | blobs: (type u8 | codec u8 | offset u32 | length u32 | rawLength u32 | id 32)*)*
//        | garbageCount u32 | (pack 32 | markedAt f64)* | supersedesCount u32 | (id 32)*
const MAGIC = 0x4b495831;
const BLOB = 46;
const MAX_ITEMS = 1 << 24;

/**
 * Serialises an index file (before sealing).
 *
 * @example
 * ```ts
 * const plain = encodeIndexFile({ packs, garbage: [], supersedes: [] });
 * ```
 */
export function encodeIndexFile(f: IndexFile): Uint8Array {
  let size = 8 + 4 + f.garbage.length * 40 + 4 + f.supersedes.length * 32;
  for (const p of f.packs) size += 36 + p.blobs.length * BLOB;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, MAGIC);
  v.setUint32(4, f.packs.length, true);
  let o = 8;
  for (const p of f.packs) {
    out.set(p.id, o);
    v.setUint32(o + 32, p.blobs.length, true);
    o += 36;
    for (const b of p.blobs) {
      out[o] = b.type === 'tree' ? 1 : 0;
      out[o + 1] = b.codec;
      v.setUint32(o + 2, b.offset, true);
      v.setUint32(o + 6, b.length, true);
      v.setUint32(o + 10, b.rawLength, true);
      out.set(b.id, o + 14);
      o += BLOB;
    }
  }
  v.setUint32(o, f.garbage.length, true);
  o += 4;
  for (const g of f.garbage) {
    out.set(g.pack, o);
    v.setFloat64(o + 32, g.markedAt, true);
    o += 40;
  }
  v.setUint32(o, f.supersedes.length, true);
  o += 4;
  for (const s of f.supersedes) {
    out.set(s, o);
    o += 32;
  }
  return out;
}

/**
 * Parses an index file's plaintext, bounds-checking every count against the bytes present.
 *
 * @example
 * ```ts
 * const file = decodeIndexFile(plain, 'index/ab12…');
 * ```
 */
export function decodeIndexFile(b: Uint8Array, where = 'index'): IndexFile {
  const r = new Reader(b, where);
  if (r.u32be() !== MAGIC) throw r.bad('bad magic');
  const packs: IndexPack[] = [];
  for (let n = r.count(36); n > 0; n--) {
    const id = r.bytes(32);
    const blobs: IndexPack['blobs'] = [];
    for (let m = r.count(BLOB); m > 0; m--) {
      const t = r.u8();
      if (t > 1) throw r.bad(`unknown blob type ${t}`);
      const codec = r.u8();
      const offset = r.u32();
      const length = r.u32();
      const rawLength = r.u32();
      blobs.push({ type: t === 1 ? 'tree' : 'data', codec, offset, length, rawLength, id: r.bytes(32) });
    }
    packs.push({ id, blobs });
  }
  const garbage: IndexFile['garbage'] = [];
  for (let n = r.count(40); n > 0; n--) garbage.push({ pack: r.bytes(32), markedAt: r.f64() });
  const supersedes: Uint8Array[] = [];
  for (let n = r.count(32); n > 0; n--) supersedes.push(r.bytes(32));
  if (!r.done) throw r.bad('trailing bytes');
  return { packs, garbage, supersedes };
}

/**
 * An index file decoded into typed columns, one row per blob in file order, instead of one object
 * per blob: loading a large index keeps a few of these alive at once, not millions of objects.
 */
export interface IndexFileColumns {
  /** Pack IDs (32 bytes each), in file order. */
  packIds: Uint8Array[];
  /** Blobs of each pack: pack `k` holds rows `[packStart[k], packStart[k + 1])`. */
  packStart: Uint32Array;
  /** Blob IDs, 32 bytes per row. */
  ids: Uint8Array;
  /** 1 for a tree blob, 0 for a data blob. */
  type: Uint8Array;
  codec: Uint8Array;
  offset: Uint32Array;
  length: Uint32Array;
  rawLength: Uint32Array;
  garbage: IndexFile['garbage'];
  supersedes: Uint8Array[];
}

/**
 * Parses an index file's plaintext into typed columns. Accepts and rejects exactly what
 * {@link decodeIndexFile} does, with the same `INVALID_DATA` errors.
 *
 * @example
 * ```ts
 * const cols = decodeIndexFileColumns(plain, 'index/ab12…');
 * cols.offset.length; // number of blobs
 * ```
 */
export function decodeIndexFileColumns(b: Uint8Array, where = 'index'): IndexFileColumns {
  const r = new Reader(b, where);
  if (r.u32be() !== MAGIC) throw r.bad('bad magic');
  const packCount = r.count(36);
  // The blob count is only known after a first pass over the pack records (counts bounds-checked
  // as decodeIndexFile checks them); the second pass fills the columns.
  const start = r.pos;
  let rows = 0;
  for (let n = packCount; n > 0; n--) {
    r.skip(32);
    const m = r.count(BLOB);
    for (let k = 0; k < m; k++) {
      const t = b[r.pos]!;
      if (t > 1) {
        r.skip(1);
        throw r.bad(`unknown blob type ${t}`);
      }
      r.skip(BLOB);
    }
    rows += m;
  }
  const packIds: Uint8Array[] = new Array(packCount);
  const packStart = new Uint32Array(packCount + 1);
  const ids = new Uint8Array(rows * 32);
  const type = new Uint8Array(rows);
  const codec = new Uint8Array(rows);
  const offset = new Uint32Array(rows);
  const length = new Uint32Array(rows);
  const rawLength = new Uint32Array(rows);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let o = start;
  let row = 0;
  for (let p = 0; p < packCount; p++) {
    packIds[p] = b.slice(o, o + 32);
    const m = v.getUint32(o + 32, true);
    o += 36;
    packStart[p] = row;
    for (let k = 0; k < m; k++, row++, o += BLOB) {
      type[row] = b[o]!;
      codec[row] = b[o + 1]!;
      offset[row] = v.getUint32(o + 2, true);
      length[row] = v.getUint32(o + 6, true);
      rawLength[row] = v.getUint32(o + 10, true);
      ids.set(b.subarray(o + 14, o + BLOB), row * 32);
    }
  }
  packStart[packCount] = row;
  const garbage: IndexFile['garbage'] = [];
  for (let n = r.count(40); n > 0; n--) garbage.push({ pack: r.bytes(32), markedAt: r.f64() });
  const supersedes: Uint8Array[] = [];
  for (let n = r.count(32); n > 0; n--) supersedes.push(r.bytes(32));
  if (!r.done) throw r.bad('trailing bytes');
  return { packIds, packStart, ids, type, codec, offset, length, rawLength, garbage, supersedes };
}

class Reader {
  #v: DataView;
  #o = 0;
  constructor(
    readonly b: Uint8Array,
    readonly where: string,
  ) {
    this.#v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  get pos(): number {
    return this.#o;
  }
  /** Moves past `n` bytes (bounds-checked like a read). */
  skip(n: number): void {
    this.#need(n);
    this.#o += n;
  }
  get done(): boolean {
    return this.#o === this.b.length;
  }
  bad(why: string): KluisError {
    return new KluisError('INVALID_DATA', `malformed ${this.where} at byte ${this.#o}: ${why}`);
  }
  #need(n: number): void {
    if (this.#o + n > this.b.length) throw this.bad('truncated');
  }
  u8(): number {
    this.#need(1);
    return this.b[this.#o++]!;
  }
  u32(): number {
    this.#need(4);
    const x = this.#v.getUint32(this.#o, true);
    this.#o += 4;
    return x;
  }
  u32be(): number {
    this.#need(4);
    const x = this.#v.getUint32(this.#o);
    this.#o += 4;
    return x;
  }
  f64(): number {
    this.#need(8);
    const x = this.#v.getFloat64(this.#o, true);
    this.#o += 8;
    if (!Number.isFinite(x)) throw this.bad('non-finite time');
    return x;
  }
  bytes(n: number): Uint8Array {
    this.#need(n);
    const x = this.b.slice(this.#o, this.#o + n);
    this.#o += n;
    return x;
  }
  /** A count whose items take at least `min` bytes each: bounded by the bytes left. */
  count(min: number): number {
    const n = this.u32();
    if (n > MAX_ITEMS || n * min > this.b.length - this.#o) throw this.bad(`count ${n} exceeds the data`);
    return n;
  }
}
