// The code-length part of a dynamic block header (RFC 1951 section 3.2.7): both code length
// lists as one sequence, run-length coded with symbols 16 (repeat previous 3-6 times), 17 (3-10
// zeros) and 18 (11-138 zeros), then Huffman coded with a third code of at most 7 bits.

import { putBits } from './bits';
import { buildCodes, buildLengths } from './huffman';
import { CL_ORDER } from './tables';

/** Code-length symbols of the header: symbol | (repeat bits << 8), u16. */
const TOKENS: usize = memory.data(320 * 2, 2);
const CL_FREQ: usize = memory.data(19 * 4, 4);
const CL_LEN: usize = memory.data(19);
const CL_CODE: usize = memory.data(19 * 2, 2);
/** Both length lists back to back. */
const SEQUENCE: usize = memory.data(320);

let tokenCount: u32 = 0;
let hlit: u32 = 0;
let hdist: u32 = 0;
let hclen: u32 = 0;

/** Extra bits after code-length symbols 16, 17 and 18. */
function repeatBits(sym: u32): u32 {
  return sym < 16 ? 0 : sym === 16 ? 2 : sym === 17 ? 3 : 7;
}

function token(sym: u32, extra: u32): void {
  store<u16>(TOKENS + ((<usize>tokenCount) << 1), <u16>(sym | (extra << 8)));
  tokenCount++;
  const f = CL_FREQ + ((<usize>sym) << 2);
  store<u32>(f, load<u32>(f) + 1);
}

function runOf(v: u32, run: u32): void {
  if (v === 0) {
    for (; run >= 11; ) {
      const r = run < 138 ? run : 138;
      token(18, r - 11);
      run -= r;
    }
    if (run >= 3) {
      token(17, run - 3);
      run = 0;
    }
  } else {
    token(v, 0);
    run--;
    for (; run >= 3; ) {
      const r = run < 6 ? run : 6;
      token(16, r - 3);
      run -= r;
    }
  }
  for (; run > 0; run--) token(v, 0);
}

/**
 * Prepares the header for the given literal/length and distance code lengths and returns its
 * size in bits (without the 3-bit block header).
 */
export function planHeader(litLens: usize, distLens: usize): u32 {
  hlit = 286;
  while (hlit > 257 && load<u8>(litLens + hlit - 1) === 0) hlit--;
  hdist = 30;
  while (hdist > 1 && load<u8>(distLens + hdist - 1) === 0) hdist--;
  memory.copy(SEQUENCE, litLens, hlit);
  memory.copy(SEQUENCE + hlit, distLens, hdist);
  memory.fill(CL_FREQ, 0, 19 * 4);
  tokenCount = 0;
  const total = hlit + hdist;
  for (let i: u32 = 0; i < total; ) {
    const v = <u32>load<u8>(SEQUENCE + i);
    let run: u32 = 1;
    while (i + run < total && <u32>load<u8>(SEQUENCE + i + run) === v) run++;
    runOf(v, run);
    i += run;
  }
  buildLengths(CL_FREQ, 19, 7, CL_LEN);
  buildCodes(CL_LEN, 19, CL_CODE);
  hclen = 19;
  while (hclen > 4 && load<u8>(CL_LEN + load<u8>(CL_ORDER + hclen - 1)) === 0) hclen--;
  let bits: u32 = 14 + 3 * hclen;
  for (let s: u32 = 0; s < 19; s++) {
    bits += load<u32>(CL_FREQ + ((<usize>s) << 2)) * (<u32>load<u8>(CL_LEN + s) + repeatBits(s));
  }
  return bits;
}

/** Writes the header prepared by planHeader(). */
export function writeHeader(): void {
  putBits(hlit - 257, 5);
  putBits(hdist - 1, 5);
  putBits(hclen - 4, 4);
  for (let i: u32 = 0; i < hclen; i++) putBits(load<u8>(CL_LEN + load<u8>(CL_ORDER + i)), 3);
  for (let t: u32 = 0; t < tokenCount; t++) {
    const v = <u32>load<u16>(TOKENS + ((<usize>t) << 1));
    const sym = v & 255;
    putBits(load<u16>(CL_CODE + ((<usize>sym) << 1)), load<u8>(CL_LEN + sym));
    const n = repeatBits(sym);
    if (n !== 0) putBits(v >> 8, n);
  }
}
