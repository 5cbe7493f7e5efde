// Raw DEFLATE compression: node:zlib deflateRawSync at level 1 (its fastest) vs this package's
// WebAssembly encoder (wasmDeflateRaw), on the files of a corpus concatenated in name order and
// cut into 1 MiB pieces (the size of an average chunk of a large file) and 64 KiB pieces.
// Every output is checked to round-trip through inflateRawSync before timing.
// MB/s = 10^6 input bytes per second of wall time, median of REPEAT alternating runs; "cpu"
// divides by the process's CPU time instead, which a busy machine distorts less.
//
// Corpus: the directories listed in KLUIS_DEFLATE_CORPUS (separated by the platform's path
// delimiter, each measured on its own), else 64 MiB of generated source-like text.
//
// Run: npx tsx --conditions=@kluis/source packages/core/bench/deflate.ts [repeat]
import { readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { wasmDeflateRaw } from '@kluis/core/format';

const MIB = 1024 * 1024;
const repeat = Number(process.argv[2] ?? 5);

type Encode = (data: Uint8Array) => Uint8Array;
const encoders: [string, Encode][] = [
  ['zlib level 1', (d) => deflateRawSync(d, { level: 1 })],
  [
    'wasm',
    (d) => {
      const out = wasmDeflateRaw.compress(d);
      if (!(out instanceof Uint8Array)) throw new Error('expected synchronous compression in Node');
      return out;
    },
  ],
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Deterministic source-like text: indented statements from a small vocabulary, some numbers. */
function generatedText(size: number): Uint8Array {
  const words =
    'const let return await async function export import from type interface if else for of new this'
      .concat(' chunk blob pack index tree snapshot repository transport options error value data size key')
      .split(' ');
  let x = 0x2545f491;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const lines: string[] = [];
  let n = 0;
  while (n < size) {
    let line = ' '.repeat(2 * (next() % 4));
    const count = 3 + (next() % 9);
    for (let i = 0; i < count; i++) line += `${words[next() % words.length]}${i + 1 < count ? ' ' : ';'}`;
    if (next() % 4 === 0) line += ` // ${(next() % 100000).toString(16)}`;
    lines.push(line);
    n += line.length + 1;
  }
  return new TextEncoder().encode(lines.join('\n')).subarray(0, size);
}

function pieces(data: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

function measure(name: string, data: Uint8Array, pieceSize: number): void {
  const parts = pieces(data, pieceSize);
  const sizes = encoders.map(([label, encode]) => {
    let total = 0;
    for (const p of parts) {
      const packed = encode(p);
      if (!Buffer.from(inflateRawSync(packed)).equals(p))
        throw new Error(`${label} output does not round-trip`);
      total += packed.length;
    }
    return total;
  });
  const wall: number[][] = encoders.map(() => []);
  const cpu: number[][] = encoders.map(() => []);
  for (let r = 0; r < repeat; r++) {
    encoders.forEach(([, encode], i) => {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      for (const p of parts) encode(p);
      const c = process.cpuUsage(c0);
      wall[i]!.push(data.length / 1e3 / (performance.now() - t0));
      cpu[i]!.push(data.length / (c.user + c.system));
    });
  }
  const label = `${name}, ${pieceSize / 1024} KiB pieces`;
  encoders.forEach(([encoder], i) => {
    const mbs = median(wall[i]!);
    const ratio = mbs / median(wall[0]!);
    const size = sizes[i]! / sizes[0]!;
    console.log(
      `${label.padEnd(32)} ${encoder.padEnd(13)} ${mbs.toFixed(0).padStart(5)} MB/s (cpu ${median(cpu[i]!).toFixed(0).padStart(4)})`,
      `${String(sizes[i]).padStart(11)} bytes (ratio ${(data.length / sizes[i]!).toFixed(2)})`,
      i === 0 ? '' : `speed ×${ratio.toFixed(2)}, size ×${size.toFixed(3)}`,
    );
  });
}

const corpora: [string, Uint8Array][] = process.env.KLUIS_DEFLATE_CORPUS
  ? process.env.KLUIS_DEFLATE_CORPUS.split(delimiter).map((dir) => [
      dir,
      concat(filesUnder(dir).map((f) => readFileSync(f))),
    ])
  : [['generated text', generatedText(64 * MIB)]];

for (const [name, data] of corpora) {
  console.log(`${name}: ${(data.length / MIB).toFixed(1)} MiB`);
  for (const size of [MIB, 64 * 1024]) measure(name.split(/[\\/]/).slice(-1)[0]!, data, size);
}
