import { inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wasmDeflateSync } from '../src/deflate/encoder';
import { wasmDeflateRaw } from '../src/format/index';
import { inputArb } from './deflate-input';
import { codeLengths } from './deflate-lengths';

const inflate = (b: Uint8Array) => new Uint8Array(inflateRawSync(b));
/** Stored blocks of up to 65535 bytes cost 5 bytes each: no output may be larger. */
const storedBound = (n: number) => n + 5 * Math.max(1, Math.ceil(n / 65535));

describe('wasm raw DEFLATE encoder', () => {
  it('round-trips arbitrary bytes through node:zlib', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (data) => {
        const packed = wasmDeflateSync(data);
        expect(packed.length).toBeLessThanOrEqual(storedBound(data.length));
        expect(inflate(packed)).toEqual(data);
      }),
    );
  });

  it('round-trips runs, matches near and past the window, and text (about half past one 262140-byte block)', () => {
    fc.assert(
      fc.property(inputArb(12, 60_000, 6), (data) => {
        const packed = wasmDeflateSync(data);
        expect(packed.length).toBeLessThanOrEqual(storedBound(data.length));
        expect(Buffer.from(inflate(packed)).equals(data)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('round-trips through DecompressionStream (the decoder browsers use)', async () => {
    await fc.assert(
      fc.asyncProperty(inputArb(6, 5_000), async (data) => {
        const packed = await wasmDeflateRaw.compress(data);
        expect(await wasmDeflateRaw.decompress(packed, data.length)).toEqual(data);
      }),
      { numRuns: 20 },
    );
  });
});

describe('Huffman code lengths of the encoder', () => {
  // Uniform, or spread over powers of two (skewed enough that unlimited codes get too deep).
  const frequency = fc.oneof(
    fc.integer({ min: 0, max: 2 ** 23 - 1 }),
    fc.integer({ min: 0, max: 22 }).map((e) => 2 ** e),
  );
  // Near-Fibonacci chains (each about the sum of the two before): an unlimited Huffman code for
  // n of them is n - 1 bits deep.
  const chain = fc
    .tuple(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 17, maxLength: 30 }), fc.boolean())
    .map(([steps, reverse]) => {
      const out = [1, 1];
      for (const s of steps.slice(2)) out.push(out[out.length - 1]! + out[out.length - 2]! + s);
      return reverse ? out.reverse() : out;
    });
  const frequencies = (maxLength: number) =>
    fc.oneof(
      fc.array(frequency, { minLength: 2, maxLength }),
      chain.map((c) => c.slice(0, maxLength)),
    );
  // Literal/length and distance codes: up to 286 symbols, 15 bits; code-length codes: 19, 7 bits.
  const cases = fc.oneof(
    fc.tuple(frequencies(286), fc.constantFrom(9, 15)),
    fc.tuple(frequencies(19), fc.constant(7)),
  );

  it('never exceed the limit and always form a complete prefix code', () => {
    fc.assert(
      fc.property(cases, ([freqs, limit]) => {
        const lens = codeLengths(freqs, limit);
        const used = freqs.filter((f) => f > 0).length;
        expect(Math.max(...lens)).toBeLessThanOrEqual(limit);
        freqs.forEach((f, s) => {
          if (f > 0) expect(lens[s]).toBeGreaterThan(0);
        });
        // Kraft sum exactly 1 (complete), including the padded one- and zero-symbol cases.
        const kraft = lens.reduce((sum, l) => sum + (l > 0 ? 2 ** (limit - l) : 0), 0);
        expect(kraft).toBe(2 ** limit);
        if (used >= 2) expect(lens.filter((l) => l > 0).length).toBe(used);
      }),
    );
  });

  it('give more frequent symbols codes no longer than less frequent ones', () => {
    fc.assert(
      fc.property(frequencies(286), (freqs) => {
        const lens = codeLengths(freqs, 15);
        for (let a = 0; a < freqs.length; a++) {
          for (let b = 0; b < freqs.length; b++) {
            if (freqs[a]! > freqs[b]! && freqs[b]! > 0) expect(lens[a]).toBeLessThanOrEqual(lens[b]!);
          }
        }
      }),
      { numRuns: 50 },
    );
  });
});
