import { inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wasmDeflateSync } from '../src/deflate/_encoder';
import { wasmDeflateRaw } from '../src/index';
import { inputArb } from './deflate-input';
import { codeLengths } from './deflate-lengths';

const inflate = (b: Uint8Array) => new Uint8Array(inflateRawSync(b));

describe('wasm raw DEFLATE encoder', () => {
  it('round-trips arbitrary bytes through node:zlib', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (data) => {
        expect(inflate(wasmDeflateSync(data))).toEqual(data);
      }),
    );
  });

  it('round-trips runs, matches near and past the window, and text (up to ~400 KiB, several blocks)', () => {
    fc.assert(
      fc.property(inputArb(12, 40_000), (data) => {
        expect(Buffer.from(inflate(wasmDeflateSync(data))).equals(data)).toBe(true);
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
  const frequencies = fc.array(fc.integer({ min: 0, max: 2 ** 23 - 1 }), { minLength: 2, maxLength: 286 });

  it('never exceed the limit and always form a complete prefix code', () => {
    fc.assert(
      fc.property(frequencies, fc.constantFrom(7, 9, 15), (freqs, limit) => {
        fc.pre(limit > 7 || freqs.length <= 19);
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
      fc.property(frequencies, (freqs) => {
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
