// Deterministic test inputs for the chunker vectors: a xorshift32 byte stream (Marsaglia's
// 13/17/5 triple), optionally with structure (zero runs and repeated blocks) so that vectors also
// cover low-entropy data and content shifted by whole blocks.

/** Bytes from xorshift32 seeded with `seed` (non-zero), four bytes per step, little-endian. */
export function xorshiftBytes(seed: number, length: number): Uint8Array {
  if (seed === 0 || !Number.isInteger(seed)) throw new RangeError('seed must be a non-zero integer');
  const out = new Uint8Array(Math.ceil(length / 4) * 4);
  let x = seed >>> 0;
  for (let i = 0; i < out.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x;
    out[i + 1] = x >>> 8;
    out[i + 2] = x >>> 16;
    out[i + 3] = x >>> 24;
  }
  return out.subarray(0, length);
}

const BLOCK = 256 * 1024;

/**
 * xorshift32 bytes where, in each group of four 256 KiB blocks, the second starts with 128 KiB of
 * zeros and the fourth repeats the third.
 */
export function structuredBytes(seed: number, length: number): Uint8Array {
  const data = xorshiftBytes(seed, length);
  for (let b = 0; b * BLOCK < length; b++) {
    const at = b * BLOCK;
    if (b % 4 === 1) data.fill(0, at, Math.min(length, at + BLOCK / 2));
    if (b % 4 === 3) data.copyWithin(at, at - BLOCK, Math.min(length, at + BLOCK) - BLOCK);
  }
  return data;
}

/** Input of a vector: generator kind, seed and length. */
export interface VectorInput {
  kind: 'xorshift32' | 'structured';
  seed: number;
  length: number;
}

/** The bytes a vector's input describes. */
export function vectorInput(input: VectorInput): Uint8Array {
  return input.kind === 'xorshift32'
    ? xorshiftBytes(input.seed, input.length)
    : structuredBytes(input.seed, input.length);
}
