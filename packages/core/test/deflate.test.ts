import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { wasmDeflateSync } from '../src/deflate/encoder';
import { CODEC_DEFLATE_RAW, compressAuto, wasmDeflateRaw } from '../src/format/index';
import { nodeDeflateRaw } from '../src/node/index';
import { xorshiftBytes } from './chunker-input';
import { assemble, textBytes } from './deflate-input';
import { codeLengths, optimalBits } from './deflate-lengths';

const inflate = (b: Uint8Array) => new Uint8Array(inflateRawSync(b));
const storedBound = (n: number) => n + 5 * Math.max(1, Math.ceil(n / 65535));

describe('wasm raw DEFLATE encoder', () => {
  it('encodes the empty input as one final block that decoders accept', async () => {
    const packed = wasmDeflateSync(new Uint8Array(0));
    expect(packed.length).toBeLessThanOrEqual(5);
    expect(inflate(packed)).toEqual(new Uint8Array(0));
    expect(await wasmDeflateRaw.decompress(packed, 0)).toEqual(new Uint8Array(0));
  });

  it('round-trips single bytes and tiny inputs', () => {
    for (let n = 1; n <= 12; n++) {
      for (const byte of [0, 97, 255]) {
        const data = new Uint8Array(n).fill(byte);
        expect(inflate(wasmDeflateSync(data))).toEqual(data);
      }
    }
  });

  it('is deterministic: the same input gives the same bytes, whatever came before', () => {
    const data = textBytes(7, 200_000);
    const first = wasmDeflateSync(data);
    wasmDeflateSync(xorshiftBytes(3, 100_000));
    wasmDeflateSync(data.subarray(1000));
    expect(wasmDeflateSync(data)).toEqual(first);
  });

  it('shrinks repetitive input to a small fraction', () => {
    // 5000 random bytes, then repeated: one 258-byte match (about 17 bits) per 258 bytes.
    const data = assemble([
      { kind: 'random', seed: 5, length: 5000 },
      { kind: 'copy', distance: 5000, length: 500_000 },
    ]);
    const packed = wasmDeflateSync(data);
    expect(packed.length).toBeLessThan(5000 + data.length / 40);
    expect(Buffer.from(inflate(packed)).equals(data)).toBe(true);
    const zeros = new Uint8Array(1 << 20);
    expect(wasmDeflateSync(zeros).length).toBeLessThan(zeros.length / 500);
  });

  it('does not expand incompressible input past the stored-block bound', () => {
    for (const n of [1, 100, 65535, 65536, 262140, 262141, 1 << 20]) {
      const data = xorshiftBytes(n + 1, n);
      const packed = wasmDeflateSync(data);
      expect(packed.length).toBeLessThanOrEqual(storedBound(n));
      expect(Buffer.from(inflate(packed)).equals(data)).toBe(true);
    }
  });

  it('round-trips a few MiB of mixed content, crossing many blocks', () => {
    const data = assemble([
      { kind: 'text', seed: 11, length: 1_500_000 },
      { kind: 'random', seed: 12, length: 300_000 },
      { kind: 'run', byte: 0, length: 400_000 },
      { kind: 'copy', distance: 32_768, length: 700_000 },
      { kind: 'copy', distance: 32_769, length: 300_000 },
      { kind: 'text', seed: 13, length: 1_000_000 },
    ]);
    const packed = wasmDeflateSync(data);
    expect(Buffer.from(inflate(packed)).equals(data)).toBe(true);
    expect(packed.length).toBeLessThan(data.length / 2);
  });
});

describe('wasmDeflateRaw and nodeDeflateRaw', () => {
  it('compress synchronously to the encoder output and share the codec id', async () => {
    const data = textBytes(21, 50_000);
    const expected = wasmDeflateSync(data);
    expect(wasmDeflateRaw.compress(data)).toEqual(expected);
    expect(nodeDeflateRaw.compress(data)).toEqual(expected);
    expect(wasmDeflateRaw.id).toBe(CODEC_DEFLATE_RAW);
    expect(nodeDeflateRaw.id).toBe(CODEC_DEFLATE_RAW);
    expect(await nodeDeflateRaw.decompress(expected, data.length)).toEqual(data);
  });

  it('refuse output longer than the recorded length', async () => {
    const packed = wasmDeflateSync(textBytes(22, 10_000));
    await expect(wasmDeflateRaw.decompress(packed, 9_999)).rejects.toThrow(RangeError);
  });

  it('work with compressAuto, which stores incompressible chunks as they are', async () => {
    const text = textBytes(23, 100_000);
    const packed = await compressAuto(wasmDeflateRaw, text);
    expect(packed.codec).toBe(CODEC_DEFLATE_RAW);
    expect(inflate(packed.bytes)).toEqual(text);
    const noise = xorshiftBytes(24, 100_000);
    expect((await compressAuto(wasmDeflateRaw, noise)).bytes).toBe(noise);
  });
});

describe('Huffman code lengths', () => {
  const fibonacci = (n: number) => {
    const f = [1, 1];
    while (f.length < n) f.push(f[f.length - 1]! + f[f.length - 2]!);
    return f;
  };
  const bits = (freqs: number[], lens: number[]) => freqs.reduce((s, f, i) => s + f * lens[i]!, 0);

  it('limit Fibonacci frequencies (an unlimited code would be 29 and 18 bits deep)', () => {
    for (const [n, limit] of [
      [30, 15],
      [19, 7],
    ] as const) {
      const freqs = fibonacci(n);
      const lens = codeLengths(freqs, limit);
      expect(Math.max(...lens)).toBe(limit);
      expect(lens.reduce((s, l) => s + 2 ** (limit - l), 0)).toBe(2 ** limit);
      expect(bits(freqs, lens)).toBeGreaterThanOrEqual(optimalBits(freqs));
    }
  });

  it('are optimal when the limit does not bind', () => {
    // Frequencies within a factor of 4 of each other: no code deeper than 10 bits.
    const freqs = [...xorshiftBytes(31, 286)].map((b) => b * 1000 + 100_000);
    const lens = codeLengths(freqs, 15);
    expect(bits(freqs, lens)).toBe(optimalBits(freqs));
  });
});
