import { hex } from '../../_bytes';
import type { BlobType } from '../format/layout';

/** Where a blob lives: its pack, byte range in the pack, and how it was encoded. */
export interface BlobLocation {
  /** Blob ID (32 bytes, keyed HMAC-SHA-256 of the plaintext). */
  id: Uint8Array;
  type: BlobType;
  /** Pack ID (32 bytes, SHA-256 of the pack's stored bytes). */
  pack: Uint8Array;
  /** Offset of the sealed blob inside the pack. */
  offset: number;
  /** Length of the sealed blob (nonce, ciphertext and tag). */
  length: number;
  /** Length of the plaintext after decompression. */
  rawLength: number;
  /** Compression codec id (0 = none). */
  codec: number;
}

const ID = 32;
const GROW = 1.5;

/**
 * The in-memory index: blob ID → pack location, in compact typed arrays instead of a `Map` of
 * strings. Per blob it holds 32 bytes of ID, 4 of ID prefix for a fast binary search, 4 each of
 * pack number, offset, length and raw length, and 1 byte of type+codec: 53 bytes, under the
 * 64-byte budget (restic needs ~350). Pack IDs are stored once per pack.
 *
 * Entries are appended unsorted and sorted lazily before the next lookup of a missing ID; a small
 * `Set` of recently added IDs keeps lookups during a backup (append, look up, append) cheap.
 *
 * @example
 * ```ts
 * const index = new BlobIndex();
 * index.add({ id, type: 'data', pack, offset: 0, length: 1040, rawLength: 1000, codec: 0 });
 * index.get(id)?.offset; // 0
 * ```
 */
export class BlobIndex {
  #ids: Uint8Array = new Uint8Array(0);
  #prefix: Uint32Array = new Uint32Array(0);
  #pack: Uint32Array = new Uint32Array(0);
  #offset: Uint32Array = new Uint32Array(0);
  #length: Uint32Array = new Uint32Array(0);
  #raw: Uint32Array = new Uint32Array(0);
  #flags: Uint8Array = new Uint8Array(0);
  #count = 0;
  #sorted = 0; // entries [0, #sorted) are sorted by ID
  #recent = new Map<string, number>(); // hex id -> slot, for entries not yet sorted
  #bulk = false; // entries were appended by addPack and are in neither the sorted part nor #recent
  #packs: Uint8Array[] = [];
  #packNumber = new Map<string, number>();

  /** Number of blobs in the index. */
  get size(): number {
    if (this.#bulk) this.#sort();
    return this.#count;
  }

  /** Number of distinct packs referenced. */
  get packCount(): number {
    return this.#packs.length;
  }

  /** Approximate bytes of memory used by the index's arrays (for the 64-byte budget). */
  get memoryBytes(): number {
    return (
      this.#ids.byteLength + this.#flags.byteLength + 5 * this.#prefix.byteLength + this.#packs.length * 80
    );
  }

  /** Makes room for `extra` more entries at once (avoids growth slack when the count is known). */
  reserve(extra: number): void {
    if (this.#count + extra > this.#prefix.length) this.#grow(this.#count + extra);
  }

  /** Adds a blob location; a blob already present is kept as it is (first location wins). */
  add(loc: BlobLocation): boolean {
    if (loc.id.length !== ID || loc.pack.length !== ID)
      throw new TypeError('blob and pack IDs must be 32 bytes');
    if (this.has(loc.id)) return false;
    if (this.#count === this.#prefix.length) this.#grow();
    const i = this.#count++;
    this.#ids.set(loc.id, i * ID);
    this.#prefix[i] = prefixOf(loc.id, 0);
    this.#pack[i] = this.#packNo(loc.pack);
    this.#offset[i] = loc.offset;
    this.#length[i] = loc.length;
    this.#raw[i] = loc.rawLength;
    this.#flags[i] = (loc.type === 'tree' ? 0x80 : 0) | (loc.codec & 0x7f);
    this.#recent.set(hex(loc.id), i);
    if (this.#recent.size > 65536) this.#sort();
    return true;
  }

  /**
   * Adds every blob of one pack, as `add` would one by one (a blob already present keeps its first
   * location), but in bulk: no lookup per entry, one sort before the next lookup. Loading index
   * files uses it.
   */
  addPack(pack: Uint8Array, blobs: readonly Omit<BlobLocation, 'pack'>[]): void {
    if (pack.length !== ID) throw new TypeError('blob and pack IDs must be 32 bytes');
    if (blobs.length === 0) return;
    if (this.#count + blobs.length > this.#prefix.length) this.#grow(this.#count + blobs.length);
    const p = this.#packNo(pack);
    for (const b of blobs) {
      if (b.id.length !== ID) throw new TypeError('blob and pack IDs must be 32 bytes');
      const i = this.#count++;
      this.#ids.set(b.id, i * ID);
      this.#prefix[i] = prefixOf(b.id, 0);
      this.#pack[i] = p;
      this.#offset[i] = b.offset;
      this.#length[i] = b.length;
      this.#raw[i] = b.rawLength;
      this.#flags[i] = (b.type === 'tree' ? 0x80 : 0) | (b.codec & 0x7f);
    }
    this.#bulk = true;
  }

  /**
   * Per pack holding tree blobs (keyed by hex pack ID): the byte span from its first tree blob to
   * the end of its last, and the tree bytes inside that span. One pass over the index.
   */
  treeSpans(): Map<string, { start: number; end: number; bytes: number }> {
    if (this.#bulk) this.#sort();
    const byPack = new Map<number, { start: number; end: number; bytes: number }>();
    for (let i = 0; i < this.#count; i++) {
      if (!(this.#flags[i]! & 0x80)) continue;
      const off = this.#offset[i]!;
      const end = off + this.#length[i]!;
      const s = byPack.get(this.#pack[i]!);
      if (!s) byPack.set(this.#pack[i]!, { start: off, end, bytes: this.#length[i]! });
      else {
        s.start = Math.min(s.start, off);
        s.end = Math.max(s.end, end);
        s.bytes += this.#length[i]!;
      }
    }
    return new Map([...byPack].map(([n, s]) => [hex(this.#packs[n]!), s]));
  }

  /** The IDs of every pack that holds an indexed blob. */
  packs(): Uint8Array[] {
    return this.#packs.map((p) => p.slice());
  }

  /** Whether a blob with this ID is indexed. */
  has(id: Uint8Array): boolean {
    return this.#find(id) >= 0;
  }

  /** The location of a blob, or `undefined`. */
  get(id: Uint8Array): BlobLocation | undefined {
    const i = this.#find(id);
    return i < 0 ? undefined : this.#at(i);
  }

  /** Every indexed blob (order unspecified). */
  *entries(): IterableIterator<BlobLocation> {
    if (this.#bulk) this.#sort();
    for (let i = 0; i < this.#count; i++) yield this.#at(i);
  }

  #at(i: number): BlobLocation {
    const f = this.#flags[i]!;
    return {
      id: this.#ids.slice(i * ID, i * ID + ID),
      type: f & 0x80 ? 'tree' : 'data',
      pack: this.#packs[this.#pack[i]!]!,
      offset: this.#offset[i]!,
      length: this.#length[i]!,
      rawLength: this.#raw[i]!,
      codec: f & 0x7f,
    };
  }

  #packNo(pack: Uint8Array): number {
    const key = hex(pack);
    let n = this.#packNumber.get(key);
    if (n === undefined) {
      n = this.#packs.length;
      this.#packs.push(pack.slice());
      this.#packNumber.set(key, n);
    }
    return n;
  }

  #find(id: Uint8Array): number {
    if (id.length !== ID) return -1;
    if (this.#bulk) this.#sort();
    const r = this.#recent.get(hex(id));
    if (r !== undefined) return r;
    const p = prefixOf(id, 0);
    let lo = 0;
    let hi = this.#sorted - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.#compareAt(mid, id, p);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  #compareAt(i: number, id: Uint8Array, p: number): number {
    const q = this.#prefix[i]!;
    if (q !== p) return q < p ? -1 : 1;
    const base = i * ID;
    for (let k = 4; k < ID; k++) {
      const d = this.#ids[base + k]! - id[k]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  #grow(min = 0): void {
    const cap = Math.max(1024, min, Math.ceil(this.#prefix.length * GROW));
    const ids = new Uint8Array(cap * ID);
    ids.set(this.#ids);
    this.#ids = ids;
    this.#prefix = growU32(this.#prefix, cap);
    this.#pack = growU32(this.#pack, cap);
    this.#offset = growU32(this.#offset, cap);
    this.#length = growU32(this.#length, cap);
    this.#raw = growU32(this.#raw, cap);
    const flags = new Uint8Array(cap);
    flags.set(this.#flags);
    this.#flags = flags;
  }

  /** Sorts all entries by ID (a permutation applied to every column). */
  #sort(): void {
    const n = this.#count;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => this.#compareSlots(a, b) || a - b);
    const ids = new Uint8Array(this.#ids.length);
    const cols = [this.#prefix, this.#pack, this.#offset, this.#length, this.#raw].map(
      (c) => new Uint32Array(c.length),
    );
    const flags = new Uint8Array(this.#flags.length);
    const src = [this.#prefix, this.#pack, this.#offset, this.#length, this.#raw];
    let kept = 0;
    for (let j = 0; j < n; j++) {
      const i = order[j]!;
      // Equal IDs sort by slot, so the first location added is kept and later copies dropped.
      if (kept > 0 && this.#compareSlots(order[kept - 1]!, i) === 0) continue;
      order[kept] = i;
      ids.set(this.#ids.subarray(i * ID, i * ID + ID), kept * ID);
      for (let c = 0; c < 5; c++) cols[c]![kept] = src[c]![i]!;
      flags[kept] = this.#flags[i]!;
      kept++;
    }
    this.#ids = ids;
    [this.#prefix, this.#pack, this.#offset, this.#length, this.#raw] = cols as [
      Uint32Array,
      Uint32Array,
      Uint32Array,
      Uint32Array,
      Uint32Array,
    ];
    this.#flags = flags;
    this.#count = kept;
    this.#sorted = kept;
    this.#recent.clear();
    this.#bulk = false;
  }

  #compareSlots(a: number, b: number): number {
    const pa = this.#prefix[a]!;
    const pb = this.#prefix[b]!;
    if (pa !== pb) return pa < pb ? -1 : 1;
    for (let k = 4; k < ID; k++) {
      const d = this.#ids[a * ID + k]! - this.#ids[b * ID + k]!;
      if (d !== 0) return d;
    }
    return 0;
  }
}

function prefixOf(id: Uint8Array, at: number): number {
  return ((id[at]! << 24) | (id[at + 1]! << 16) | (id[at + 2]! << 8) | id[at + 3]!) >>> 0;
}

function growU32(a: Uint32Array, cap: number): Uint32Array {
  const b = new Uint32Array(cap);
  b.set(a);
  return b;
}
