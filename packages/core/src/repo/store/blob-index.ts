import { hex } from '../../_bytes';
import type { IndexFileColumns } from '../format/index-file';
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
   * Adds every blob of a decoded index file, as `addPack` would pack by pack (a blob already
   * present keeps its first location), copying whole columns. Returns the slots the file's blobs
   * took, `[start, end)`, for {@link BlobIndex.dropSlots} until the next lookup.
   *
   * @example
   * ```ts
   * const index = new BlobIndex();
   * const [start, end] = index.addColumns(decodeIndexFileColumns(plain));
   * ```
   */
  addColumns(c: IndexFileColumns): [number, number] {
    const start = this.#count;
    const n = c.offset.length;
    if (n === 0) return [start, start];
    if (start + n > this.#prefix.length) this.#grow(start + n);
    this.#ids.set(c.ids, start * ID);
    this.#offset.set(c.offset, start);
    this.#length.set(c.length, start);
    this.#raw.set(c.rawLength, start);
    for (let p = 0; p < c.packIds.length; p++) {
      const from = c.packStart[p]!;
      const to = c.packStart[p + 1]!;
      if (to > from) this.#pack.fill(this.#packNo(c.packIds[p]!), start + from, start + to);
    }
    const ids = this.#ids;
    for (let r = 0; r < n; r++) {
      const i = start + r;
      const b = i * ID;
      this.#prefix[i] = ((ids[b]! << 24) | (ids[b + 1]! << 16) | (ids[b + 2]! << 8) | ids[b + 3]!) >>> 0;
      this.#flags[i] = (c.type[r] === 1 ? 0x80 : 0) | (c.codec[r]! & 0x7f);
    }
    this.#count = start + n;
    this.#bulk = true;
    return [start, this.#count];
  }

  /**
   * Removes the entries in the given slot ranges, as returned by {@link BlobIndex.addColumns}
   * since the last lookup (loading drops a superseded index file's entries this way), and forgets
   * packs no entry references any more.
   *
   * @example
   * ```ts
   * const index = new BlobIndex();
   * const slots = index.addColumns(decodeIndexFileColumns(plain));
   * index.dropSlots([slots]); // empty again
   * ```
   */
  dropSlots(ranges: readonly (readonly [number, number])[]): void {
    if (ranges.length === 0) return;
    if (ranges.some(([a, b]) => a < this.#sorted || b > this.#count || a > b))
      throw new RangeError('only slots appended since the last sort can be dropped');
    const drop = new Uint8Array(this.#count);
    for (const [a, b] of ranges) drop.fill(1, a, b);
    const moved = new Map<number, number>();
    let kept = 0;
    for (let i = 0; i < this.#count; i++) {
      if (drop[i]) continue;
      if (kept !== i) {
        this.#move(i, kept);
        if (this.#recent.size > 0) moved.set(i, kept);
      }
      kept++;
    }
    this.#count = kept;
    for (const [key, slot] of this.#recent)
      if (drop[slot]) this.#recent.delete(key);
      else if (moved.has(slot)) this.#recent.set(key, moved.get(slot)!);
    // Renumber the packs still referenced, in their first-use order.
    const renumber = new Int32Array(this.#packs.length).fill(-1);
    const packs: Uint8Array[] = [];
    this.#packNumber.clear();
    for (let i = 0; i < kept; i++) {
      const old = this.#pack[i]!;
      let n = renumber[old]!;
      if (n < 0) {
        n = renumber[old] = packs.length;
        packs.push(this.#packs[old]!);
        this.#packNumber.set(hex(this.#packs[old]!), n);
      }
      this.#pack[i] = n;
    }
    this.#packs = packs;
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

  /**
   * Sorts all entries by ID and drops repeated IDs (the first slot wins): a stable three-pass radix
   * sort of a slot permutation by the 32-bit ID prefix, equal prefixes ordered by full ID then
   * slot, then the permutation applied to every column (only the IDs are copied, once).
   */
  #sort(): void {
    const n = this.#count;
    const order = sortSlots(this.#prefix, n, (a, b) => this.#compareSlots(a, b) || a - b);
    this.#ids = permute(
      order,
      n,
      this.#ids,
      [this.#prefix, this.#pack, this.#offset, this.#length, this.#raw],
      this.#flags,
    );
    // Equal IDs are now adjacent, the first slot added first: keep it, drop the later copies.
    let kept = n > 0 ? 1 : 0;
    for (let i = 1; i < n; i++) {
      if (this.#compareSlots(kept - 1, i) === 0) continue;
      if (kept !== i) this.#move(i, kept);
      kept++;
    }
    this.#count = kept;
    this.#sorted = kept;
    this.#recent.clear();
    this.#bulk = false;
  }

  /** Copies the entry in slot `from` to slot `to`. */
  #move(from: number, to: number): void {
    this.#ids.copyWithin(to * ID, from * ID, from * ID + ID);
    this.#prefix[to] = this.#prefix[from]!;
    this.#pack[to] = this.#pack[from]!;
    this.#offset[to] = this.#offset[from]!;
    this.#length[to] = this.#length[from]!;
    this.#raw[to] = this.#raw[from]!;
    this.#flags[to] = this.#flags[from]!;
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

/**
 * The slots `0..n-1` ordered by `prefix[slot]` (three stable 11-bit counting passes), runs of equal
 * prefixes then ordered by `tie`. Internal; exported for its property test.
 */
export function sortSlots(
  prefix: Uint32Array,
  n: number,
  tie: (a: number, b: number) => number,
): Uint32Array {
  // Sort (key, slot) pairs so that each pass reads its keys in order, not through the permutation.
  let order = new Uint32Array(n);
  let spare = new Uint32Array(n);
  let keys = prefix.slice(0, n);
  let spareKeys = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const counts = new Uint32Array(2048);
  for (const shift of [0, 11, 22]) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i]! >>> shift) & 0x7ff]!++;
    let sum = 0;
    for (let d = 0; d < 2048; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let j = 0; j < n; j++) {
      const k = keys[j]!;
      const to = counts[(k >>> shift) & 0x7ff]!++;
      spare[to] = order[j]!;
      spareKeys[to] = k;
    }
    [order, spare] = [spare, order];
    [keys, spareKeys] = [spareKeys, keys];
  }
  for (let j = 0; j < n; ) {
    const p = keys[j]!;
    let e = j + 1;
    while (e < n && keys[e] === p) e++;
    if (e - j > 1) order.subarray(j, e).sort(tie);
    j = e;
  }
  return order;
}

/**
 * Rearranges the entries so that position `j` holds the entry that was in slot `order[j]`: each
 * 4- and 1-byte column in place through one spare column, the IDs into a new array (returned).
 * Gathering (independent reads the memory system overlaps) is several times faster than following
 * the permutation's cycles in place, a chain of dependent cache misses.
 */
function permute(
  order: Uint32Array,
  n: number,
  ids: Uint8Array,
  cols: Uint32Array[],
  flags: Uint8Array,
): Uint8Array {
  const spare = new Uint32Array(n);
  for (const col of cols) {
    for (let j = 0; j < n; j++) spare[j] = col[order[j]!]!;
    col.set(spare);
  }
  const spare8 = new Uint8Array(spare.buffer, 0, n);
  for (let j = 0; j < n; j++) spare8[j] = flags[order[j]!]!;
  flags.set(spare8);
  const from = new Uint32Array(ids.buffer, ids.byteOffset, ids.length >>> 2);
  const out = new Uint8Array(ids.length);
  const to = new Uint32Array(out.buffer);
  for (let j = 0; j < n; j++) {
    const a = j * 8;
    const b = order[j]! * 8;
    to[a] = from[b]!;
    to[a + 1] = from[b + 1]!;
    to[a + 2] = from[b + 2]!;
    to[a + 3] = from[b + 3]!;
    to[a + 4] = from[b + 4]!;
    to[a + 5] = from[b + 5]!;
    to[a + 6] = from[b + 6]!;
    to[a + 7] = from[b + 7]!;
  }
  return out;
}

function prefixOf(id: Uint8Array, at: number): number {
  return ((id[at]! << 24) | (id[at + 1]! << 16) | (id[at + 2]! << 8) | id[at + 3]!) >>> 0;
}

function growU32(a: Uint32Array, cap: number): Uint32Array {
  const b = new Uint32Array(cap);
  b.set(a);
  return b;
}
