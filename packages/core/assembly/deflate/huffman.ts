// Length-limited canonical Huffman codes. buildLengths() makes an optimal Huffman tree (two
// queues over the symbols sorted by frequency), then, when the tree is deeper than allowed,
// rebalances the count of codes per length until the Kraft sum is exactly 1 again.

/** Sort keys: (frequency << 9) | symbol, for up to 288 used symbols. */
const KEYS: usize = memory.data(288 * 4, 4);
/** Internal node weights, then (reused) internal node depths. */
const NODE: usize = memory.data(288 * 4, 4);
/** Parent (internal node index) of leaves 0..k-1, then of internal nodes at k + j. */
const PARENT: usize = memory.data(576 * 2, 2);
/** Number of codes of each length 0..31 (lengths past the limit are folded in). */
const COUNT: usize = memory.data(32 * 4, 4);
/** Next canonical code of each length. */
const NEXT: usize = memory.data(16 * 4, 4);

/**
 * Code lengths (bytes at `lens`) for `n` symbols with u32 frequencies at `freqs`, none longer
 * than `limit`. Unused symbols get 0. The code is always complete: with fewer than two used
 * symbols, a second one gets a length of 1 too. Frequencies must be below 2^23.
 */
export function buildLengths(freqs: usize, n: i32, limit: i32, lens: usize): void {
  memory.fill(lens, 0, n);
  let k = 0;
  for (let s = 0; s < n; s++) {
    const f = load<u32>(freqs + ((<usize>s) << 2));
    if (f === 0) continue;
    store<u32>(KEYS + ((<usize>k) << 2), (f << 9) | <u32>s);
    k++;
  }
  if (k < 2) {
    const s = k === 0 ? 0 : load<u32>(KEYS) & 511;
    store<u8>(lens + s, 1);
    store<u8>(lens + (s === 0 ? 1 : 0), 1);
    return;
  }
  sortKeys(k);
  const maxDepth = treeDepths(k, limit);
  if (maxDepth > limit) limitCounts(limit);
  // Longest codes to the least frequent symbols (KEYS is ascending).
  let len = limit;
  for (let i = 0; i < k; i++) {
    while (load<u32>(COUNT + ((<usize>len) << 2)) === 0) len--;
    store<u32>(COUNT + ((<usize>len) << 2), load<u32>(COUNT + ((<usize>len) << 2)) - 1);
    store<u8>(lens + (load<u32>(KEYS + ((<usize>i) << 2)) & 511), <u8>len);
  }
}

/** Shell sort of the first k keys, ascending. */
function sortKeys(k: i32): void {
  for (let gap = k >> 1; gap > 0; gap = gap === 2 ? 1 : (gap * 5) / 11) {
    for (let i = gap; i < k; i++) {
      const v = load<u32>(KEYS + ((<usize>i) << 2));
      let j = i;
      while (j >= gap && load<u32>(KEYS + ((<usize>(j - gap)) << 2)) > v) {
        store<u32>(KEYS + ((<usize>j) << 2), load<u32>(KEYS + ((<usize>(j - gap)) << 2)));
        j -= gap;
      }
      store<u32>(KEYS + ((<usize>j) << 2), v);
    }
  }
}

/** Builds the Huffman tree of the k sorted leaves; fills COUNT[1..limit]; returns the depth. */
function treeDepths(k: i32, limit: i32): i32 {
  let leaf = 0;
  let inner = 0;
  for (let j = 0; j < k - 1; j++) {
    let w: u32 = 0;
    for (let pick = 0; pick < 2; pick++) {
      if (
        leaf < k &&
        (inner >= j || load<u32>(KEYS + ((<usize>leaf) << 2)) >> 9 <= load<u32>(NODE + ((<usize>inner) << 2)))
      ) {
        w += load<u32>(KEYS + ((<usize>leaf) << 2)) >> 9;
        store<u16>(PARENT + ((<usize>leaf) << 1), <u16>j);
        leaf++;
      } else {
        w += load<u32>(NODE + ((<usize>inner) << 2));
        store<u16>(PARENT + ((<usize>(k + inner++)) << 1), <u16>j);
      }
    }
    store<u32>(NODE + ((<usize>j) << 2), w);
  }
  // Depths of internal nodes, root (k - 2) first: parents always have higher indices.
  store<u32>(NODE + ((<usize>(k - 2)) << 2), 0);
  for (let j = k - 3; j >= 0; j--) {
    const p = <usize>load<u16>(PARENT + ((<usize>(k + j)) << 1));
    store<u32>(NODE + ((<usize>j) << 2), load<u32>(NODE + (p << 2)) + 1);
  }
  memory.fill(COUNT, 0, 32 * 4);
  let deepest = 0;
  for (let i = 0; i < k; i++) {
    const d = <i32>load<u32>(NODE + ((<usize>load<u16>(PARENT + ((<usize>i) << 1))) << 2)) + 1;
    if (d > deepest) deepest = d;
    const slot = COUNT + ((<usize>(d > limit ? limit : d)) << 2);
    store<u32>(slot, load<u32>(slot) + 1);
  }
  return deepest;
}

/**
 * After leaves deeper than `limit` were moved up to it, the Kraft sum exceeds 2^limit by less
 * than COUNT[limit]. Each step removes one code of the longest length and splits the deepest
 * shorter code into two one level down (net -1), so it ends exactly at 2^limit.
 */
function limitCounts(limit: i32): void {
  let total: u32 = 0;
  for (let l = 1; l <= limit; l++) total += load<u32>(COUNT + ((<usize>l) << 2)) << (limit - l);
  const full: u32 = 1 << limit;
  while (total > full) {
    store<u32>(COUNT + ((<usize>limit) << 2), load<u32>(COUNT + ((<usize>limit) << 2)) - 1);
    for (let i = limit - 1; i > 0; i--) {
      const c = load<u32>(COUNT + ((<usize>i) << 2));
      if (c !== 0) {
        store<u32>(COUNT + ((<usize>i) << 2), c - 1);
        store<u32>(COUNT + ((<usize>(i + 1)) << 2), load<u32>(COUNT + ((<usize>(i + 1)) << 2)) + 2);
        break;
      }
    }
    total--;
  }
}

/**
 * Canonical codes for the lengths at `lens`, bit-reversed (DEFLATE sends codes most
 * significant bit first into a least-significant-bit-first stream), stored as u16 at `codes`.
 */
export function buildCodes(lens: usize, n: i32, codes: usize): void {
  memory.fill(NEXT, 0, 16 * 4);
  for (let s = 0; s < n; s++) {
    const l = <usize>load<u8>(lens + s);
    store<u32>(NEXT + (l << 2), load<u32>(NEXT + (l << 2)) + 1);
  }
  let code: u32 = 0;
  let previous: u32 = 0;
  store<u32>(NEXT, 0);
  for (let l = 1; l < 16; l++) {
    code = (code + previous) << 1;
    previous = load<u32>(NEXT + ((<usize>l) << 2));
    store<u32>(NEXT + ((<usize>l) << 2), code);
  }
  for (let s = 0; s < n; s++) {
    const l = <u32>load<u8>(lens + s);
    if (l === 0) continue;
    const c = load<u32>(NEXT + ((<usize>l) << 2));
    store<u32>(NEXT + ((<usize>l) << 2), c + 1);
    store<u16>(codes + ((<usize>s) << 1), <u16>(reverse(c) >> (32 - l)));
  }
}

function reverse(v: u32): u32 {
  v = ((v >> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return (v >> 16) | (v << 16);
}
