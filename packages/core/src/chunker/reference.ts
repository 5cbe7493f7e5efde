import { type CutBackend, collectCopies, lendViews, WindowedChunker } from './_window';
import { type ChunkerOptions, type ResolvedOptions, resolveOptions } from './options';

/**
 * A streaming chunker: feed it pieces of a stream, get back the chunks completed so far.
 *
 * - `push(data)` returns the chunks completed by `data` (often none). The chunks belong to the
 *   caller: they are never overwritten later, and `data` may be reused once `push` returns.
 * - `finish()` returns the remaining tail (the last chunk may be smaller than `minSize`) and
 *   resets the chunker for a new stream. An empty stream yields no chunks.
 *
 * Cut points depend only on the bytes, never on how the stream was split into pieces.
 *
 * @example
 * ```ts
 * const chunker = referenceChunker({ minSize: 4096, avgSize: 16384, maxSize: 65536 });
 * const [piece1, piece2] = pieces;
 * const chunks = [...chunker.push(piece1!), ...chunker.push(piece2!), ...chunker.finish()];
 * ```
 */
export interface StreamChunker {
  push(data: Uint8Array): Uint8Array[];
  finish(): Uint8Array[];
  /**
   * Like `push`, without copying: calls `visit` with each completed chunk as a view of the
   * chunker's internal window. The view is valid only during the call (copy what you keep), and
   * `visit` must not push to this chunker or another one of the same factory. Faster than `push`
   * when chunks are large: every chunk `push` returns is a fresh allocation, and fresh memory is
   * costly (in Node on glibc, buffers above the malloc mmap threshold are mapped and unmapped per
   * chunk); copying into buffers you reuse avoids that.
   */
  pushViews(data: Uint8Array, visit: (chunk: Uint8Array) => void): void;
  /** Like `finish`, lending views as {@link StreamChunker.pushViews} does. */
  finishViews(visit: (chunk: Uint8Array) => void): void;
}

/** The public face of a windowed chunker. */
export function streamChunker(inner: WindowedChunker): StreamChunker {
  return {
    push(data: Uint8Array): Uint8Array[] {
      const out: Uint8Array[] = [];
      inner.scan(data, collectCopies(out));
      return out;
    },
    finish(): Uint8Array[] {
      const out: Uint8Array[] = [];
      inner.finish(collectCopies(out));
      return out;
    },
    pushViews(data: Uint8Array, visit: (chunk: Uint8Array) => void): void {
      inner.scan(data, lendViews(visit));
    },
    finishViews(visit: (chunk: Uint8Array) => void): void {
      inner.finish(lendViews(visit));
    },
  };
}

// The hash is kept modulo 2^49 in two small limbs (bits 0-23 and 24-48), so every value stays a
// small integer that JavaScript engines handle fast. That is exact for cutting: the masks use
// bits 0-47 (so mask << 1 uses bits 1-48), and in shifts and additions a bit of the result
// depends only on the same or lower bits of the operands, so the bits above 48 of the 64-bit
// hash can never change a cut decision.
const LO_BITS = 24;
const LO = 0xffffff;
const HI = 0x1ffffff;

/** Gear entries (and entries << 1) split into the two limbs. */
interface Limbs {
  gHi: Int32Array;
  gLo: Int32Array;
  lsHi: Int32Array;
  lsLo: Int32Array;
}

function limbs(gear: Uint32Array): Limbs {
  const t = {
    gHi: new Int32Array(256),
    gLo: new Int32Array(256),
    lsHi: new Int32Array(256),
    lsLo: new Int32Array(256),
  };
  for (let i = 0; i < 256; i++) {
    const hi = gear[2 * i]!; // bits 32-63
    const lo = gear[2 * i + 1]!; // bits 0-31
    t.gLo[i] = lo & LO;
    t.gHi[i] = ((hi << 8) | (lo >>> LO_BITS)) & HI;
    t.lsLo[i] = (lo << 1) & LO;
    t.lsHi[i] = ((hi << 9) | (lo >>> (LO_BITS - 1))) & HI;
  }
  return t;
}

/** A 64-bit mask as [hi limb, lo limb] (shifted left by `shift` bits first). */
function maskLimbs(hi: number, lo: number, shift: 0 | 1): [number, number] {
  return [((hi << (8 + shift)) | (lo >>> (LO_BITS - shift))) & HI, (lo << shift) & LO];
}

// Hash state carried from the small-mask region into the large-mask region of one search.
let hashHi = 0;
let hashLo = 0;

/**
 * Hashes the byte pairs at [p, end) ("rolling two bytes": hash = (hash << 2) + GEAR_LS[b0], then
 * hash += GEAR[b1]); returns the cut length relative to `start`, or -1 if no cut. The first byte
 * of a pair is tested against mask << 1, the same test as hashing byte by byte. A cut after
 * hashing byte i ends the chunk before byte i, as in the published FastCDC 2020 vectors.
 */
function scanPairs(
  buf: Uint8Array,
  p: number,
  end: number,
  start: number,
  t: Limbs,
  m: readonly number[],
): number {
  const { gHi, gLo, lsHi, lsLo } = t;
  const [mHi, mLo, mlsHi, mlsLo] = m as [number, number, number, number];
  let hi = hashHi;
  let lo = hashLo;
  for (; p < end; p += 2) {
    const b0 = buf[p]!;
    lo = (lo << 2) + lsLo[b0]!;
    hi = ((hi << 2) + lsHi[b0]! + (lo >>> LO_BITS)) & HI;
    lo &= LO;
    if (((lo & mlsLo) | (hi & mlsHi)) === 0) return p - start;
    const b1 = buf[p + 1]!;
    lo += gLo[b1]!;
    hi = (hi + gHi[b1]! + (lo >>> LO_BITS)) & HI;
    lo &= LO;
    if (((lo & mLo) | (hi & mHi)) === 0) return p + 1 - start;
  }
  hashHi = hi;
  hashLo = lo;
  return -1;
}

/** Mask limbs for the search: [small, small << 1, large, large << 1], each as hi, lo. */
function searchMasks(masks: readonly [number, number, number, number]): [number[], number[]] {
  const [sHi, sLo, lHi, lLo] = masks;
  return [
    [...maskLimbs(sHi, sLo, 0), ...maskLimbs(sHi, sLo, 1)],
    [...maskLimbs(lHi, lLo, 0), ...maskLimbs(lHi, lLo, 1)],
  ];
}

/** FastCDC 2020 cut-point search over `buf[start, start + length)`; returns the chunk length. */
function referenceCut(
  buf: Uint8Array,
  start: number,
  length: number,
  o: ResolvedOptions,
  t: Limbs,
  m: number[][],
): number {
  if (length <= o.minSize) return length;
  const remaining = Math.min(length, o.maxSize);
  const end1 = start + (Math.min(o.avgSize, remaining) & ~1);
  hashHi = 0;
  hashLo = 0;
  const cut = scanPairs(buf, start + (o.minSize & ~1), end1, start, t, m[0]!);
  if (cut >= 0) return cut;
  const cut2 = scanPairs(buf, end1, start + (remaining & ~1), start, t, m[1]!);
  return cut2 >= 0 ? cut2 : remaining;
}

class ReferenceBackend implements CutBackend {
  private window = new Uint8Array(0);
  private readonly limbs: Limbs;
  private readonly masks: number[][];

  constructor(private readonly options: ResolvedOptions) {
    this.limbs = limbs(options.gear);
    this.masks = searchMasks(options.masks);
  }

  claim(owner: WindowedChunker): Uint8Array {
    // Grow lazily, so many short streams do not each allocate a full window.
    if (this.window.length < owner.capacity) this.window = new Uint8Array(owner.capacity);
    return this.window;
  }

  release(): void {
    // The window belongs to this chunker alone and is reused by its next stream.
  }

  cut(start: number, length: number): number {
    return referenceCut(this.window, start, length, this.options, this.limbs, this.masks);
  }
}

/** A windowed reference chunker (internal: not re-exported by the package). */
export function referenceWindow(options: ChunkerOptions): WindowedChunker {
  const resolved = resolveOptions(options);
  // A small slack is enough here: moving the tail costs little next to this scan's speed.
  return new WindowedChunker(new ReferenceBackend(resolved), resolved, 2 * resolved.maxSize + 256 * 1024);
}

/**
 * The pure TypeScript FastCDC 2020 chunker: synchronous, portable, and the reference the
 * WebAssembly build ({@link loadChunker}) is tested against (identical cut points). Its scan is
 * about six times slower than the WebAssembly build's; use it where WebAssembly is unavailable.
 *
 * @example
 * ```ts
 * const chunker = referenceChunker({ minSize: 16384, avgSize: 65536, maxSize: 262144 });
 * const kept: Uint8Array[] = [];
 * for (const piece of pieces) for (const chunk of chunker.push(piece)) kept.push(chunk);
 * for (const chunk of chunker.finish()) kept.push(chunk);
 * ```
 */
export function referenceChunker(options: ChunkerOptions): StreamChunker {
  return streamChunker(referenceWindow(options));
}
