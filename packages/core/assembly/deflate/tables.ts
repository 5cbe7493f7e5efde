// Fixed DEFLATE symbol tables (RFC 1951 section 3.2.5), filled once by initTables().

/** (length - 3) → length code index 0..28 (symbol 257 + index), for lengths 3..258. */
export const LEN_CODE: usize = memory.data(256);
/** Length code index → smallest length it encodes (u16). */
export const LEN_BASE: usize = memory.data(29 * 2, 2);
/** Length code index → number of extra bits. */
export const LEN_EXTRA: usize = memory.data(29);
/**
 * Distance code lookup: entry (d - 1) for d ≤ 256, else entry 256 + ((d - 1) >> 7); the codes
 * from 16 up cover whole multiples of 128, which is what makes the second half exact.
 */
export const DIST_CODE: usize = memory.data(512);
/** Distance code → smallest distance it encodes (u16). */
export const DIST_BASE: usize = memory.data(30 * 2, 2);
/** Distance code → number of extra bits. */
export const DIST_EXTRA: usize = memory.data(30);
/** Order in which the code-length code lengths are sent. */
export const CL_ORDER: usize = memory.data<u8>([
  16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
]);

/** Distance code of distance `d` (1..32768). */
export function distCode(d: u32): u32 {
  const v = d - 1;
  return <u32>load<u8>(DIST_CODE + <usize>(v < 256 ? v : (v >> 7) + 256));
}

export function initTables(): void {
  let base: u32 = 3;
  for (let c: u32 = 0; c < 28; c++) {
    const extra: u32 = c < 8 ? 0 : (c - 4) >> 2;
    store<u16>(LEN_BASE + (c << 1), <u16>base);
    store<u8>(LEN_EXTRA + c, <u8>extra);
    for (let k: u32 = 0; k < 1 << extra && base + k <= 258; k++) store<u8>(LEN_CODE + base + k - 3, <u8>c);
    base += 1 << extra;
  }
  // 258 has a code of its own (285); code 284 with all extra bits set is not a valid length.
  store<u16>(LEN_BASE + 56, 258);
  store<u8>(LEN_EXTRA + 28, 0);
  store<u8>(LEN_CODE + 255, 28);
  base = 1;
  for (let c: u32 = 0; c < 30; c++) {
    const extra: u32 = c < 4 ? 0 : (c - 2) >> 1;
    store<u16>(DIST_BASE + (c << 1), <u16>base);
    store<u8>(DIST_EXTRA + c, <u8>extra);
    for (let k: u32 = 0; k < 1 << extra; k++) {
      const v: u32 = base - 1 + k;
      store<u8>(DIST_CODE + <usize>(v < 256 ? v : (v >> 7) + 256), <u8>c);
    }
    base += 1 << extra;
  }
}
