// Writes one parsed block as whichever of dynamic Huffman, static Huffman or stored is smallest.

import { alignBits, bitBuf, bitCount, out, putBits, setBits } from './bits';
import { planHeader, writeHeader } from './header';
import { buildCodes, buildLengths } from './huffman';
import { DIST_FREQ, LIT_FREQ, tailLiterals } from './match';
import { DIST_BASE, DIST_EXTRA, distCode, LEN_BASE, LEN_CODE, LEN_EXTRA } from './tables';

const LIT_LEN: usize = memory.data(288);
const DIST_LEN: usize = memory.data(32);
const LIT_CODE: usize = memory.data(288 * 2, 2);
const DIST_HCODE: usize = memory.data(32 * 2, 2);
const STATIC_LIT_LEN: usize = memory.data(288);
const STATIC_DIST_LEN: usize = memory.data(32);
const STATIC_LIT_CODE: usize = memory.data(288 * 2, 2);
const STATIC_DIST_CODE: usize = memory.data(32 * 2, 2);
/** Per literal byte: (code << 5) | length. */
const LIT_ENTRY: usize = memory.data(256 * 4, 4);
/** Per (length - 3): ((code | extra bits << code length) << 5) | total bit count. */
const LEN_ENTRY: usize = memory.data(256 * 4, 4);
/** Per distance code: code | (code length << 16) | (code length + extra bits) << 24. */
const DIST_ENTRY: usize = memory.data(30 * 4, 4);

export function initStatic(): void {
  for (let s = 0; s < 288; s++) store<u8>(STATIC_LIT_LEN + s, s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8);
  memory.fill(STATIC_DIST_LEN, 5, 32);
  buildCodes(STATIC_LIT_LEN, 288, STATIC_LIT_CODE);
  buildCodes(STATIC_DIST_LEN, 32, STATIC_DIST_CODE);
}

/** Bits of the symbols with the given lengths, including length and distance extra bits. */
function symbolBits(litLens: usize, distLens: usize): u32 {
  let bits: u32 = 0;
  for (let s: u32 = 0; s < 286; s++) bits += load<u32>(LIT_FREQ + ((<usize>s) << 2)) * load<u8>(litLens + s);
  for (let c: u32 = 0; c < 29; c++)
    bits += load<u32>(LIT_FREQ + ((<usize>(257 + c)) << 2)) * load<u8>(LEN_EXTRA + c);
  for (let d: u32 = 0; d < 30; d++) {
    bits +=
      load<u32>(DIST_FREQ + ((<usize>d) << 2)) * (<u32>load<u8>(distLens + d) + load<u8>(DIST_EXTRA + d));
  }
  return bits;
}

/** Bits a stored copy of `length` bytes takes from the current bit position. */
function storedBits(length: u32): u32 {
  const pieces = length === 0 ? 1 : (length + 65534) / 65535;
  const pad = (8 - ((bitCount + 3) & 7)) & 7;
  return 3 + pad + 32 + 40 * (pieces - 1) + 8 * length;
}

/** Writes the block of input [start, end) whose `count` sequences parseBlock() left at `seqs`. */
export function writeBlock(seqs: usize, count: u32, start: usize, end: usize, final: u32): void {
  buildLengths(LIT_FREQ, 286, 15, LIT_LEN);
  buildLengths(DIST_FREQ, 30, 15, DIST_LEN);
  const dynamic: u32 = 3 + planHeader(LIT_LEN, DIST_LEN) + symbolBits(LIT_LEN, DIST_LEN);
  const fixed: u32 = 3 + symbolBits(STATIC_LIT_LEN, STATIC_DIST_LEN);
  const stored = storedBits(<u32>(end - start));
  if (stored <= dynamic && stored <= fixed) {
    writeStored(start, end, final);
  } else if (dynamic < fixed) {
    putBits(final | 4, 3);
    writeHeader();
    buildCodes(LIT_LEN, 286, LIT_CODE);
    buildCodes(DIST_LEN, 30, DIST_HCODE);
    writeSymbols(seqs, count, start, LIT_LEN, LIT_CODE, DIST_LEN, DIST_HCODE);
  } else {
    putBits(final | 2, 3);
    writeSymbols(seqs, count, start, STATIC_LIT_LEN, STATIC_LIT_CODE, STATIC_DIST_LEN, STATIC_DIST_CODE);
  }
}

function writeStored(start: usize, end: usize, final: u32): void {
  let p = start;
  do {
    const n = <u32>min<usize>(end - p, 65535);
    putBits(p + n === end ? final : 0, 3);
    alignBits();
    store<u32>(out, n | ((n ^ 0xffff) << 16));
    memory.copy(out + 4, p, n);
    setBits(out + 4 + n, 0, 0);
    p += n;
  } while (p < end);
}

function fillEntries(litLens: usize, litCodes: usize, distLens: usize, distCodes: usize): void {
  for (let b: u32 = 0; b < 256; b++) {
    store<u32>(
      LIT_ENTRY + ((<usize>b) << 2),
      ((<u32>load<u16>(litCodes + (b << 1))) << 5) | load<u8>(litLens + b),
    );
  }
  for (let l: u32 = 0; l < 256; l++) {
    const c = <u32>load<u8>(LEN_CODE + l);
    const n = <u32>load<u8>(litLens + 257 + c);
    const v = <u32>load<u16>(litCodes + ((257 + c) << 1)) | ((l + 3 - load<u16>(LEN_BASE + (c << 1))) << n);
    store<u32>(LEN_ENTRY + ((<usize>l) << 2), (v << 5) | (n + load<u8>(LEN_EXTRA + c)));
  }
  for (let d: u32 = 0; d < 30; d++) {
    const n = <u32>load<u8>(distLens + d);
    const e = <u32>load<u16>(distCodes + (d << 1)) | (n << 16) | ((n + load<u8>(DIST_EXTRA + d)) << 24);
    store<u32>(DIST_ENTRY + ((<usize>d) << 2), e);
  }
}

function writeSymbols(
  seqs: usize,
  count: u32,
  start: usize,
  litLens: usize,
  litCodes: usize,
  distLens: usize,
  distCodes: usize,
): void {
  fillEntries(litLens, litCodes, distLens, distCodes);
  let o = out;
  let buf = bitBuf;
  let n = bitCount;
  let ip = start;
  const stop = seqs + ((<usize>count) << 3);
  for (let q = seqs; q <= stop; q += 8) {
    const run = q < stop ? load<u32>(q) : tailLiterals;
    const runEnd = ip + run;
    for (; ip < runEnd; ip++) {
      const e = load<u32>(LIT_ENTRY + ((<usize>load<u8>(ip)) << 2));
      buf |= (<u64>(e >> 5)) << n;
      n += e & 31;
      store<u64>(o, buf);
      o += n >> 3;
      buf >>= n & 56;
      n &= 7;
    }
    if (q === stop) break;
    const m = load<u32>(q + 4);
    const len = load<u32>(LEN_ENTRY + ((<usize>(m & 255)) << 2));
    const dist = m >> 8;
    const dc = distCode(dist);
    const de = load<u32>(DIST_ENTRY + ((<usize>dc) << 2));
    const dv = (de & 0xffff) | ((dist - load<u16>(DIST_BASE + ((<usize>dc) << 1))) << ((de >> 16) & 255));
    buf |= (<u64>(len >> 5)) << n;
    n += len & 31;
    buf |= (<u64>dv) << n;
    n += de >> 24;
    store<u64>(o, buf);
    o += n >> 3;
    buf >>= n & 56;
    n &= 7;
    ip += (m & 255) + 3;
  }
  setBits(o, buf, n);
  const eob = load<u16>(litCodes + 512);
  putBits(eob, load<u8>(litLens + 256));
}
