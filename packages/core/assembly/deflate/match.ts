// Greedy LZ77 parse of one block into sequences (a run of literals, then a match), counting
// symbol frequencies on the way. A hash of the next four bytes indexes a bucket of the two most
// recent positions with that hash; the longest of their matches (and one at the distance of the
// previous match) wins.

import { distCode, LEN_CODE } from './tables';

/** log2 of the number of hash buckets (two u32 positions each: 256 KiB). */
export const HASH_BITS: u32 = 15;
export const WINDOW: u32 = 32768;
const MAX_MATCH: u32 = 258;
/** After this many literals in a row, positions are tried ever more sparsely (binary data). */
const SKIP_AFTER: u32 = 64;
const SKIP_SHIFT: u32 = 5;

/** Literal/length frequencies (286 used of 288) and distance frequencies (30 of 32), u32. */
export const LIT_FREQ: usize = memory.data(288 * 4, 4);
export const DIST_FREQ: usize = memory.data(32 * 4, 4);

/** Literals after the last sequence of the block parsed last. */
export let tailLiterals: u32 = 0;

/**
 * Parses input bytes [start, end) into sequences of two u32 at `seqs`: the literal run length,
 * then (distance << 8) | (length - 3). Matches stay inside the block but may reach back into
 * earlier blocks of the same input. Positions are stored in `table` as address + `bias`, so a
 * later input can reuse the table without clearing it: its stale entries lie further back than
 * the window. Returns the number of sequences.
 *
 * One function on purpose: with the candidate search moved into a function of its own, the
 * optimizer did not inline it and the encoder measured about 10 % slower.
 */
export function parseBlock(table: usize, seqs: usize, start: usize, end: usize, bias: u32): u32 {
  memory.fill(LIT_FREQ, 0, 288 * 4);
  memory.fill(DIST_FREQ, 0, 32 * 4);
  let ip = start;
  let anchor = start;
  let q = seqs;
  let rep: u32 = 0; // distance of the last match
  // The last position a 4-byte hash (and a match of at least 4) fits at.
  const last = end - start >= 4 ? end - 4 : start - 1;
  while (ip <= last) {
    const word = load<u32>(ip);
    const slot = table + ((<usize>hash(word)) << 3);
    const pair = load<u64>(slot);
    const key = <u32>ip + bias;
    store<u64>(slot, (pair << 32) | <u64>key);
    const room = <u32>(end - ip);
    const max = room < MAX_MATCH ? room : MAX_MATCH;
    let dist = key - <u32>pair;
    let len = matchLength(<u32>pair, dist, word, ip, bias, max);
    const older = key - <u32>(pair >> 32);
    const len2 = matchLength(<u32>(pair >> 32), older, word, ip, bias, max);
    if (len2 > len) {
      len = len2;
      dist = older;
    }
    // Right after a match, also try its distance again: a match cut at 258 bytes (or by a
    // small difference) often goes on there, while the hash table has long forgotten the spot.
    if (ip === anchor && rep !== 0) {
      const len3 = matchLength(key - rep, rep, word, ip, bias, max);
      if (len3 > len) {
        len = len3;
        dist = rep;
      }
    }
    if (len === 0) {
      ip = literal(ip, anchor, last, word);
      continue;
    }
    store<u32>(q, <u32>(ip - anchor));
    store<u32>(q, (dist << 8) | (len - 3), 4);
    q += 8;
    increment(LIT_FREQ + ((257 + <usize>load<u8>(LEN_CODE + len - 3)) << 2));
    increment(DIST_FREQ + ((<usize>distCode(dist)) << 2));
    const next = ip + len;
    // Index the first and last positions of the match too: cheap, and most of the gain of
    // indexing all of them.
    if (next - 1 <= last) {
      insert(table, ip + 1, bias);
      insert(table, ip + 2, bias);
      insert(table, next - 2, bias);
      insert(table, next - 1, bias);
    }
    ip = next;
    anchor = next;
    rep = dist;
  }
  countLiterals(ip < end ? ip : end, end);
  tailLiterals = <u32>(end - anchor);
  store<u32>(LIT_FREQ + 256 * 4, 1);
  return <u32>((q - seqs) >> 3);
}

function hash(word: u32): u32 {
  return (word * 0x9e3779b1) >> (32 - HASH_BITS);
}

/** Length of the match with the position stored as `candidate`, or 0 when there is none. */
function matchLength(candidate: u32, dist: u32, word: u32, ip: usize, bias: u32, max: u32): u32 {
  const at = <usize>(candidate - bias);
  if (dist - 1 >= WINDOW || load<u32>(at) !== word) return 0;
  let len: u32 = 4;
  while (len < max) {
    const x = load<u64>(at + len) ^ load<u64>(ip + len);
    if (x !== 0) {
      len += <u32>ctz(x) >> 3;
      break;
    }
    len += 8;
  }
  return len < max ? len : max;
}

/** Counts the literal at `ip` (and those skipped after it); returns the next position to try. */
function literal(ip: usize, anchor: usize, last: usize, word: u32): usize {
  const run = <u32>(ip - anchor);
  if (run < SKIP_AFTER) {
    increment(LIT_FREQ + ((<usize>(word & 255)) << 2));
    return ip + 1;
  }
  let next = ip + (run >> SKIP_SHIFT);
  if (next > last + 1) next = last + 1;
  countLiterals(ip, next);
  return next;
}

function insert(table: usize, p: usize, bias: u32): void {
  const slot = table + ((<usize>hash(load<u32>(p))) << 3);
  store<u64>(slot, (load<u64>(slot) << 32) | <u64>(<u32>p + bias));
}

function increment(counter: usize): void {
  store<u32>(counter, load<u32>(counter) + 1);
}

function countLiterals(from: usize, to: usize): void {
  for (let p = from; p < to; p++) increment(LIT_FREQ + ((<usize>load<u8>(p)) << 2));
}
