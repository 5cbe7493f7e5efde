import { type GearTable, standardGearTable } from './gear';

/**
 * Settings of a FastCDC 2020 chunker. Every chunk except the last of a stream is between
 * `minSize` and `maxSize` bytes; the last is at most `maxSize`.
 *
 * - `minSize`: even integer, at least 64 and below `avgSize`. Bytes before it are skipped
 *   (cut-point skipping), so a larger minimum chunks faster.
 * - `avgSize`: power of two from 256 to 4 MiB; sets the number of mask bits.
 * - `maxSize`: integer above `avgSize`, at most 64 MiB.
 * - `normalization`: 0–3 (default 1). Higher levels pull chunk sizes towards `avgSize`.
 * - `gear`: the 256-entry gear table (default {@link standardGearTable}); use
 *   {@link keyedGearTable} so chunk boundaries depend on a secret.
 *
 * @example
 * ```ts
 * const options: ChunkerOptions = { minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024 };
 * ```
 */
export interface ChunkerOptions {
  minSize: number;
  avgSize: number;
  maxSize: number;
  normalization?: 0 | 1 | 2 | 3;
  gear?: GearTable;
}

/** Options after validation, with the masks split into 32-bit halves. */
export interface ResolvedOptions {
  readonly minSize: number;
  readonly avgSize: number;
  readonly maxSize: number;
  /** [smallHi, smallLo, largeHi, largeLo]: masks before and after the average size. */
  readonly masks: readonly [number, number, number, number];
  /** A private copy of the gear table. */
  readonly gear: GearTable;
}

const MIN_MIN = 64;
const AVG_MIN = 256;
const AVG_MAX = 4 * 1024 * 1024;
const MAX_MAX = 64 * 1024 * 1024;

// FastCDC's masks by number of bits (index 5..25, as [hi, lo] 32-bit halves). The bits are spread
// over the 48 low bits of the hash, which the FastCDC paper reports dedups slightly better than
// contiguous bits; the values are those of the published reference implementations.
const MASKS: readonly (readonly [number, number])[] = [
  [0x0, 0x01804110],
  [0x0, 0x01803110],
  [0x0, 0x18035100],
  [0x18, 0x00035300],
  [0x190, 0x00353000],
  [0x5900, 0x03530000],
  [0xd900, 0x03530000],
  [0xd901, 0x03530000],
  [0xd903, 0x03530000],
  [0xd903, 0x13530000],
  [0xd90f, 0x03530000],
  [0xd903, 0x03537000],
  [0xd907, 0x03537000],
  [0xd907, 0x07537000],
  [0xd917, 0x07537000],
  [0xd917, 0x47537000],
  [0xd917, 0x67537000],
  [0xd937, 0x67537000],
  [0xd937, 0x77537000],
  [0xd937, 0x77577000],
  [0xdb37, 0x77577000],
];

function mask(bits: number): readonly [number, number] {
  const m = MASKS[bits - 5];
  if (m === undefined) throw new RangeError(`no FastCDC mask with ${bits} bits`);
  return m;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

function fail(field: string, rule: string, value: unknown): never {
  throw new RangeError(`chunker option ${field} must be ${rule} (got ${String(value)})`);
}

/**
 * Checks `options` and derives what the cut-point search needs. Throws a RangeError naming the
 * offending field, or a TypeError for a gear table of the wrong type.
 */
export function resolveOptions(options: ChunkerOptions): ResolvedOptions {
  const { minSize, avgSize, maxSize } = options;
  const level = options.normalization ?? 1;
  if (!(isPowerOfTwo(avgSize) && avgSize >= AVG_MIN && avgSize <= AVG_MAX)) {
    fail('avgSize', `a power of two from ${AVG_MIN} to ${AVG_MAX}`, avgSize);
  }
  if (!(Number.isInteger(minSize) && minSize % 2 === 0 && minSize >= MIN_MIN && minSize < avgSize)) {
    fail('minSize', `an even integer from ${MIN_MIN} to below avgSize (${avgSize})`, minSize);
  }
  if (!(Number.isInteger(maxSize) && maxSize > avgSize && maxSize <= MAX_MAX)) {
    fail('maxSize', `an integer above avgSize (${avgSize}) and at most ${MAX_MAX}`, maxSize);
  }
  if (!(level === 0 || level === 1 || level === 2 || level === 3)) {
    fail('normalization', '0, 1, 2 or 3', level);
  }
  const gear = options.gear ?? standardGearTable();
  if (!(gear instanceof Uint32Array) || gear.length !== 512) {
    throw new TypeError('chunker option gear must be a GearTable (a Uint32Array of 512 words)');
  }
  const bits = Math.log2(avgSize);
  const [sHi, sLo] = mask(bits + level);
  const [lHi, lLo] = mask(bits - level);
  return { minSize, avgSize, maxSize, masks: [sHi, sLo, lHi, lLo], gear: gear.slice() };
}

/**
 * Throws a RangeError (naming the field) if `options` are not valid chunker settings; see
 * {@link ChunkerOptions} for the rules. Use it to validate stored or user-given settings early.
 *
 * @example
 * ```ts
 * assertChunkerOptions({ minSize: 256 * 1024, avgSize: 1 << 20, maxSize: 4 << 20 }); // ok
 * assertChunkerOptions({ minSize: 1000, avgSize: 3000, maxSize: 9000 }); // RangeError: avgSize ...
 * ```
 */
export function assertChunkerOptions(options: ChunkerOptions): void {
  resolveOptions(options);
}
