import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ChunkerFactory,
  type ChunkerOptions,
  keyedGearTable,
  loadChunker,
  referenceChunker,
  type StreamChunker,
  standardGearTable,
} from '../src/format/index';
import { xorshiftBytes } from './chunker-input';

/** Valid settings, kept small so that inputs of a few hundred KiB span many chunks. */
const optionsArb: fc.Arbitrary<ChunkerOptions> = fc
  .record({
    avgBits: fc.integer({ min: 8, max: 14 }),
    minFraction: fc.integer({ min: 0, max: 1000 }),
    maxExtra: fc.integer({ min: 1, max: 1 << 16 }),
    normalization: fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<0 | 1 | 2 | 3>,
    gear: fc.oneof(
      fc.constant(undefined),
      fc.constant('standard' as const),
      fc.uint8Array({ minLength: 16, maxLength: 64 }),
    ),
  })
  .map(({ avgBits, minFraction, maxExtra, normalization, gear }) => {
    const avgSize = 2 ** avgBits;
    // An even minSize from 64 to avgSize - 2.
    const minSize = 64 + 2 * Math.floor(((avgSize - 66) / 2) * (minFraction / 1000));
    const options: ChunkerOptions = { minSize, avgSize, maxSize: avgSize + maxExtra, normalization };
    if (gear === 'standard') options.gear = standardGearTable();
    else if (gear !== undefined) options.gear = keyedGearTable(gear);
    return options;
  });

/** Input bytes: random, zero runs and repeats, so cuts at minSize and maxSize both occur. */
const dataArb: fc.Arbitrary<Uint8Array> = fc
  .array(
    fc.oneof(
      fc.record({ seed: fc.integer({ min: 1, max: 2 ** 31 }), length: fc.integer({ min: 0, max: 60_000 }) }),
      fc.record({ zeros: fc.integer({ min: 1, max: 40_000 }) }),
      fc.uint8Array({ minLength: 0, maxLength: 300 }),
    ),
    { maxLength: 10 },
  )
  .map((parts) => {
    const pieces = parts.map((p) =>
      p instanceof Uint8Array ? p : 'zeros' in p ? new Uint8Array(p.zeros) : xorshiftBytes(p.seed, p.length),
    );
    const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of pieces) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  });

/** Split points into the input: many small slices (1 byte, empty) and some large ones. */
const splitsArb = fc.array(fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 70_000 })), {
  minLength: 1,
  maxLength: 40,
});

/** Pushes `data` in slices whose sizes cycle through `sizes` (all zero: empty pushes, then the rest). */
function feed(chunker: StreamChunker, data: Uint8Array, sizes: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const cycle = sizes.reduce((sum, n) => sum + n, 0);
  let at = 0;
  for (let i = 0; at < data.length && (cycle > 0 || i < sizes.length); i++) {
    const n = sizes[i % sizes.length]!;
    chunks.push(...chunker.push(data.subarray(at, at + n)));
    at += n;
  }
  if (at < data.length) chunks.push(...chunker.push(data.subarray(at)));
  chunks.push(...chunker.finish());
  return chunks;
}

function lengthsOf(chunks: Uint8Array[]): number[] {
  return chunks.map((c) => c.length);
}

describe('FastCDC properties', async () => {
  const factory: ChunkerFactory = await loadChunker();

  it('wasm and reference cut identically, however the input is sliced', () => {
    fc.assert(
      fc.property(optionsArb, dataArb, splitsArb, splitsArb, (options, data, splitsA, splitsB) => {
        const whole = referenceChunker(options);
        const expected = lengthsOf([...whole.push(data), ...whole.finish()]);
        expect(lengthsOf(feed(referenceChunker(options), data, splitsA))).toEqual(expected);
        expect(lengthsOf(feed(factory.create(options), data, splitsB))).toEqual(expected);
        expect(factory.cutPoints(data, options).length).toBe(expected.length);
      }),
      { numRuns: 60 },
    );
  });

  it('chunks concatenate to the input and respect minSize / maxSize', () => {
    fc.assert(
      fc.property(optionsArb, dataArb, splitsArb, (options, data, splits) => {
        const chunks = feed(factory.create(options), data, splits);
        expect(Buffer.concat(chunks).equals(data)).toBe(true);
        chunks.forEach((c, i) => {
          expect(c.length).toBeLessThanOrEqual(options.maxSize);
          if (i < chunks.length - 1) expect(c.length).toBeGreaterThanOrEqual(options.minSize);
          else expect(c.length).toBeGreaterThan(0);
        });
      }),
      { numRuns: 60 },
    );
  });
});
