// Least-significant-bit-first bit writer over a 64-bit buffer. The output needs 8 bytes of
// room past its end: every flush stores a whole u64 and advances by the complete bytes only.

export let out: usize = 0;
export let bitBuf: u64 = 0;
export let bitCount: u32 = 0;

export function startBits(at: usize): void {
  out = at;
  bitBuf = 0;
  bitCount = 0;
}

/** Appends the low `n` bits of `v` (n ≤ 32) and flushes. */
export function putBits(v: u32, n: u32): void {
  bitBuf |= (<u64>v) << bitCount;
  bitCount += n;
  store<u64>(out, bitBuf);
  out += bitCount >> 3;
  bitBuf >>= bitCount & 56;
  bitCount &= 7;
}

/** Pads with zero bits to a byte boundary. */
export function alignBits(): void {
  if (bitCount !== 0) {
    store<u8>(out, <u8>bitBuf);
    out++;
    bitBuf = 0;
    bitCount = 0;
  }
}

/** Continues the stream at `at` with the given bit state (after a caller's local loop). */
export function setBits(at: usize, buf: u64, count: u32): void {
  out = at;
  bitBuf = buf;
  bitCount = count;
}
