import { describe, expect, it } from 'vitest';
import {
  assertChunkerOptions,
  type ChunkerOptions,
  chunkStream,
  cutPoints,
  keyedGearTable,
  loadChunker,
  referenceChunker,
  type StreamChunker,
} from '../src/format/index';
import { xorshiftBytes } from './chunker-input';

const small: ChunkerOptions = { minSize: 1024, avgSize: 4096, maxSize: 16384 };
const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

describe('chunker options', () => {
  const bad: [Partial<ChunkerOptions>, string][] = [
    [{ avgSize: 3000 }, 'avgSize'],
    [{ avgSize: 128 }, 'avgSize'],
    [{ avgSize: 8 << 20, maxSize: 16 << 20 }, 'avgSize'],
    [{ minSize: 63 }, 'minSize'],
    [{ minSize: 32 }, 'minSize'],
    [{ minSize: 1025 }, 'minSize'],
    [{ minSize: 4096 }, 'minSize'],
    [{ maxSize: 4096 }, 'maxSize'],
    [{ maxSize: (64 << 20) + 1 }, 'maxSize'],
    [{ maxSize: 20000.5 }, 'maxSize'],
    [{ normalization: 4 as 3 }, 'normalization'],
  ];
  for (const [patch, field] of bad) {
    it(`rejects ${JSON.stringify(patch)} naming ${field}`, async () => {
      const options = { ...small, ...patch };
      expect(() => assertChunkerOptions(options)).toThrow(new RegExp(`\\b${field}\\b`));
      expect(() => referenceChunker(options)).toThrow(RangeError);
      expect(() => chunkStream([], options)).toThrow(RangeError);
      expect(() => cutPoints(new Uint8Array(1), options)).toThrow(RangeError);
      const factory = await loadChunker();
      expect(() => factory.create(options)).toThrow(RangeError);
    });
  }

  it('rejects a gear table of the wrong shape with a TypeError', () => {
    expect(() => referenceChunker({ ...small, gear: new Uint32Array(511) })).toThrow(TypeError);
  });

  it('accepts the widest settings', () => {
    assertChunkerOptions({ minSize: 64, avgSize: 256, maxSize: 257, normalization: 3 });
    assertChunkerOptions({ minSize: (4 << 20) - 2, avgSize: 4 << 20, maxSize: 64 << 20, normalization: 0 });
  });
});

describe.each(['reference', 'wasm'] as const)('%s chunker', (kind) => {
  const make = async (o: ChunkerOptions): Promise<StreamChunker> =>
    kind === 'wasm' ? (await loadChunker()).create(o) : referenceChunker(o);

  it('yields nothing for an empty stream, and one short chunk for a short one', async () => {
    const c = await make(small);
    expect(c.push(new Uint8Array(0))).toEqual([]);
    expect(c.finish()).toEqual([]);
    expect(c.push(new Uint8Array([1, 2, 3]))).toEqual([]);
    expect(c.finish()).toEqual([new Uint8Array([1, 2, 3])]);
  });

  it('cuts all-zero data into maxSize chunks', async () => {
    const c = await make(small);
    const chunks = [...c.push(new Uint8Array(100_000)), ...c.finish()].map((x) => x.length);
    expect(chunks).toEqual([16384, 16384, 16384, 16384, 16384, 16384, 1696]);
  });

  it('returns caller-owned chunks that later pushes never overwrite', async () => {
    const data = xorshiftBytes(11, 300_000);
    const c = await make(small);
    const input = new Uint8Array(10_000);
    const chunks: Uint8Array[] = [];
    const copies: Uint8Array[] = [];
    for (let i = 0; i < data.length; i += input.length) {
      input.set(data.subarray(i, i + input.length));
      for (const chunk of c.push(input.subarray(0, Math.min(input.length, data.length - i)))) {
        chunks.push(chunk);
        copies.push(chunk.slice());
      }
      input.fill(0xee); // the caller reuses its buffer
    }
    for (const chunk of c.finish()) {
      chunks.push(chunk);
      copies.push(chunk.slice());
    }
    // (Buffer comparisons: element-wise deep equality of large arrays is slow.)
    chunks.forEach((chunk, i) => {
      expect(Buffer.from(chunk).equals(copies[i]!)).toBe(true);
    });
    expect(Buffer.from(concat(chunks)).equals(data)).toBe(true);
  });

  it('pushViews lends the same chunks as push, without copies', async () => {
    const data = xorshiftBytes(21, 200_000);
    const copies = await make(small);
    const expected = [...copies.push(data), ...copies.finish()];
    const c = await make(small);
    const seen: Uint8Array[] = [];
    const keep = (view: Uint8Array): void => {
      seen.push(view.slice());
    };
    for (let i = 0; i < data.length; i += 7_777) c.pushViews(data.subarray(i, i + 7_777), keep);
    c.finishViews(keep);
    expect(seen.map((x) => x.length)).toEqual(expected.map((x) => x.length));
    seen.forEach((x, i) => {
      expect(Buffer.from(x).equals(expected[i]!)).toBe(true);
    });
  });

  it('refuses to be re-entered from a view callback', async () => {
    const c = await make(small);
    // Re-entering the same chunker, or (wasm) another one sharing its window, would move bytes
    // under the lent view.
    const targets = kind === 'wasm' ? [c, await make(small)] : [c];
    for (const target of targets) {
      expect(() => {
        c.pushViews(new Uint8Array(50_000), () => target.push(new Uint8Array(10)));
      }).toThrow(/re-entered/);
      c.finish();
      expect(target.finish()).toEqual([]);
    }
  });

  it('finish() resets: a second stream chunks as if the chunker were new', async () => {
    const data = xorshiftBytes(5, 100_000);
    const c = await make(small);
    const first = [...c.push(data.subarray(0, 50_000)), ...c.finish()].map((x) => x.length);
    const second = [...c.push(data.subarray(0, 50_000)), ...c.finish()].map((x) => x.length);
    expect(second).toEqual(first);
  });
});

describe('wasm chunkers sharing one module', () => {
  it('interleaved streams (more than the module keeps windows for) match the reference', async () => {
    const factory = await loadChunker();
    const kinds: ChunkerOptions[] = [
      small,
      {
        minSize: 64,
        avgSize: 256,
        maxSize: 1024,
        normalization: 3,
        gear: keyedGearTable(new Uint8Array(16)),
      },
      { minSize: 16384, avgSize: 65536, maxSize: 1 << 20, normalization: 0 },
    ];
    // Nine streams at once: more than the windows kept in the module, so some are evicted and
    // resumed; the third kind needs a larger window than the first two.
    const settings = Array.from({ length: 9 }, (_, i) => kinds[i % 3]!);
    const length = 600_000;
    const inputs = settings.map((_, i) => xorshiftBytes(100 + i, length));
    const chunkers = settings.map((o) => factory.create(o));
    const got: number[][] = settings.map(() => []);
    for (let at = 0; at < length; at += 70_001) {
      chunkers.forEach((c, i) => {
        for (const x of c.push(inputs[i]!.subarray(at, at + 70_001))) got[i]!.push(x.length);
      });
    }
    chunkers.forEach((c, i) => {
      for (const x of c.finish()) got[i]!.push(x.length);
    });
    settings.forEach((o, i) => {
      expect(got[i]).toEqual(cutPoints(inputs[i]!, o).map((end, j, all) => end - (all[j - 1] ?? 0)));
    });
  });
});

describe('chunkStream and cutPoints', () => {
  const data = xorshiftBytes(9, 200_000);
  const expected = cutPoints(data, small);

  it('cutPoints ends at data.length and is the same through wasm', async () => {
    expect(expected.at(-1)).toBe(data.length);
    expect(cutPoints(data, { ...small, factory: await loadChunker() })).toEqual(expected);
    expect(cutPoints(new Uint8Array(0), small)).toEqual([]);
  });

  it('accepts sync and async iterables, with either implementation', async () => {
    async function* pieces(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < data.length; i += 33_333) yield data.subarray(i, i + 33_333);
    }
    const sync = [data.subarray(0, 5), new Uint8Array(0), data.subarray(5)];
    for (const source of [sync, pieces()]) {
      for (const implementation of ['wasm', 'reference'] as const) {
        const ends: number[] = [];
        let at = 0;
        for await (const chunk of chunkStream(source === sync ? sync : pieces(), {
          ...small,
          implementation,
        })) {
          at += chunk.length;
          ends.push(at);
        }
        expect(ends).toEqual(expected);
      }
    }
  });
});
