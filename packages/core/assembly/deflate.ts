// Raw DEFLATE (RFC 1951) encoder, compiled to WebAssembly by scripts/build-wasm.mjs. Greedy
// LZ77 with two positions per hash bucket, then per block of input the smallest of a dynamic Huffman,
// static Huffman or stored encoding. JavaScript asks prepare(n) for room, writes n input bytes
// at the returned address, calls compress(n) and reads that many bytes at output().
// Nothing here allocates or imports anything.

import { alignBits, out, startBits } from './deflate/bits';
import { initStatic, writeBlock } from './deflate/block';
import { HASH_BITS, parseBlock, WINDOW } from './deflate/match';
import { initTables } from './deflate/tables';

/** Input bytes per block: stored fallbacks then split into whole 65535-byte pieces. */
const BLOCK: u32 = 65535 * 4;
const PAGE: usize = 65536;

const TABLE: usize = (__heap_base + 15) & ~(<usize>15);
const SEQS: usize = TABLE + ((<usize>8) << HASH_BITS);
/** A match takes at least 4 bytes: at most BLOCK / 4 sequences of 8 bytes. */
const INPUT: usize = SEQS + ((<usize>BLOCK) << 1) + 16;

let outputAt: usize = 0;
/** Table keys of the current input start here; each input moves it past the window. */
let offset: u32 = 0;

initTables();
initStatic();

/** Largest compressed size of n bytes: stored pieces of 65535 bytes cost 5 bytes each. */
function bound(n: u32): u32 {
  return n + 5 * (n / 65535 + 1) + 16;
}

/** Makes room for `n` input bytes and returns where to write them. */
export function prepare(n: u32): usize {
  outputAt = (INPUT + <usize>n + 32) & ~(<usize>15);
  const need = outputAt + <usize>bound(n) + 32;
  const have = <usize>memory.size() * PAGE;
  if (need > have && memory.grow(<i32>((need - have + PAGE - 1) / PAGE)) < 0) return 0;
  return INPUT;
}

/** Address of the compressed bytes of the last compress() call. */
export function output(): usize {
  return outputAt;
}

/** Compresses the `n` bytes written at prepare(n)'s address; returns the compressed size. */
export function compress(n: u32): u32 {
  if (offset > 0xf0000000 - n) {
    memory.fill(TABLE, 0, (<usize>8) << HASH_BITS);
    offset = 0;
  }
  offset += 2 * WINDOW;
  // Bytes past the end are read (never used) by the 8-byte comparisons: keep them defined.
  store<u64>(INPUT + n, 0);
  store<u64>(INPUT + n + 8, 0);
  startBits(outputAt);
  const bias = offset - <u32>INPUT;
  let start = INPUT;
  const end = INPUT + n;
  do {
    const stop = end - start > BLOCK ? start + BLOCK : end;
    const count = parseBlock(TABLE, SEQS, start, stop, bias);
    writeBlock(SEQS, count, start, stop, stop === end ? 1 : 0);
    start = stop;
  } while (start < end);
  alignBits();
  offset += n;
  return <u32>(out - outputAt);
}
