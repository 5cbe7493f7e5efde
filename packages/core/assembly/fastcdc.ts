// FastCDC 2020 cut-point search ("rolling two bytes each time", normalized chunking), compiled to
// WebAssembly by scripts/build-wasm.mjs. The JavaScript side owns everything above windowBase():
// it writes input bytes there and asks cut() for the length of the next chunk. Nothing here
// allocates, so the module needs no runtime and imports nothing.

// Gear tables live in static data (memory.data), below __heap_base, so they can never overlap
// the input window that JavaScript fills. GEAR_LS holds every entry shifted left by one bit.
const GEAR: usize = memory.data(2048, 16);
const GEAR_LS: usize = memory.data(2048, 16);

// Masks for the small-chunk (before the average) and large-chunk (after it) regions, and the
// same masks shifted left by one bit for the first byte of each pair.
let maskS: u64 = 0;
let maskL: u64 = 0;
let maskSLs: u64 = 0;
let maskLLs: u64 = 0;

/** Address of the 256-entry little-endian u64 gear table that JavaScript fills. */
export function gearTable(): usize {
  return GEAR;
}

/** First byte JavaScript may use for the input window (16-byte aligned, above static data). */
export function windowBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/**
 * Takes the masks as 32-bit halves (64-bit parameters would cost a BigInt per call in
 * JavaScript) and derives the shifted gear table from the one written at gearTable().
 */
export function configure(sHi: u32, sLo: u32, lHi: u32, lLo: u32): void {
  maskS = ((<u64>sHi) << 32) | <u64>sLo;
  maskL = ((<u64>lHi) << 32) | <u64>lLo;
  maskSLs = maskS << 1;
  maskLLs = maskL << 1;
  for (let i: usize = 0; i < 2048; i += 8) {
    store<u64>(GEAR_LS + i, load<u64>(GEAR + i) << 1);
  }
}

/**
 * Length of the chunk that starts at `ptr`, given `length` available bytes (all of the rest of
 * the stream, or at least maxSize bytes of it). A cut after hashing byte i ends the chunk before
 * byte i, as in the published FastCDC 2020 vectors.
 */
export function cut(ptr: usize, length: i32, minSize: i32, avgSize: i32, maxSize: i32): i32 {
  let remaining = length;
  if (remaining <= minSize) return remaining;
  let center = avgSize;
  if (remaining > maxSize) remaining = maxSize;
  else if (remaining < center) center = remaining;
  let p = ptr + <usize>(minSize & ~1);
  const end1 = ptr + <usize>(center & ~1);
  const end2 = ptr + <usize>(remaining & ~1);
  let hash: u64 = 0;
  const ms = maskS;
  const msLs = maskSLs;
  while (p < end1) {
    const pair = <usize>load<u16>(p);
    hash = (hash << 2) + load<u64>((pair & 0xff) << 3, GEAR_LS);
    if ((hash & msLs) === 0) return <i32>(p - ptr);
    hash += load<u64>((pair >> 8) << 3, GEAR);
    if ((hash & ms) === 0) return <i32>(p - ptr) + 1;
    p += 2;
  }
  const ml = maskL;
  const mlLs = maskLLs;
  while (p < end2) {
    const pair = <usize>load<u16>(p);
    hash = (hash << 2) + load<u64>((pair & 0xff) << 3, GEAR_LS);
    if ((hash & mlLs) === 0) return <i32>(p - ptr);
    hash += load<u64>((pair >> 8) << 3, GEAR);
    if ((hash & ml) === 0) return <i32>(p - ptr) + 1;
    p += 2;
  }
  return remaining;
}
