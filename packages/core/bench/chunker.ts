// FastCDC throughput: WebAssembly vs the pure TypeScript reference, on 256 MiB of random bytes fed
// in 1 MiB pieces (as a file reader would), through the public StreamChunker API: `push` (every
// chunk copied into caller-owned memory) and `pushViews` (chunks lent as views, no copy).
// min = avg / 4, max = avg * 4, normalization 1, a keyed gear table.
// MB/s = 10^6 bytes per second of wall time; median of REPEAT runs per configuration, after a
// 64 MiB warm-up run. "Per CPU-second" divides by the process's CPU time instead, which a busy
// machine distorts less.
//
// `push` pays for a fresh allocation per chunk. In Node on glibc, buffers above malloc's mmap
// threshold are mapped and unmapped each time, so page faults dominate; running with
// MALLOC_MMAP_THRESHOLD_=134217728 MALLOC_TRIM_THRESHOLD_=1073741824 shows the difference.
//
// Run: npx tsx --conditions=@kluis/source packages/core/bench/chunker.ts [MiB] [repeat]
import { randomFillSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { keyedGearTable, loadChunker, referenceChunker, type StreamChunker } from '@kluis/core/format';

const MIB = 1024 * 1024;
const size = Number(process.argv[2] ?? 256) * MIB;
const repeat = Number(process.argv[3] ?? 3);
const piece = MIB;

const data = new Uint8Array(size);
for (let i = 0; i < size; i += 65536) randomFillSync(data.subarray(i, i + 65536));
const gear = keyedGearTable(new Uint8Array(32).fill(7));

interface Run {
  seconds: number;
  cpuSeconds: number;
  chunks: number;
}

function run(chunker: StreamChunker, views: boolean, bytes = size): Run {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let chunks = 0;
  const count = (): void => {
    chunks++;
  };
  for (let i = 0; i < bytes; i += piece) {
    if (views) chunker.pushViews(data.subarray(i, i + piece), count);
    else chunks += chunker.push(data.subarray(i, i + piece)).length;
  }
  if (views) chunker.finishViews(count);
  else chunks += chunker.finish().length;
  const cpu = process.cpuUsage(c0);
  return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, chunks };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const factory = await loadChunker();
const rows: string[] = [];
for (const avgSize of [64 * 1024, MIB]) {
  const options = { minSize: avgSize / 4, avgSize, maxSize: avgSize * 4, gear };
  for (const [name, make, views] of [
    ['wasm push', () => factory.create(options), false],
    ['wasm views', () => factory.create(options), true],
    ['reference push', () => referenceChunker(options), false],
  ] as const) {
    const speeds: number[] = [];
    const cpuSpeeds: number[] = [];
    let chunks = 0;
    run(make(), views, Math.min(size, 64 * MIB)); // warm-up: JIT, and memory the allocator can reuse
    for (let r = 0; r < repeat; r++) {
      const result = run(make(), views);
      speeds.push(size / result.seconds / 1e6);
      cpuSpeeds.push(size / result.cpuSeconds / 1e6);
      chunks = result.chunks;
    }
    const mean = (size / chunks / 1024).toFixed(1);
    rows.push(
      `${name.padEnd(14)} avg ${String(avgSize / 1024).padStart(4)} KiB: ${median(speeds).toFixed(0).padStart(5)} MB/s ` +
        `(runs: ${speeds.map((s) => s.toFixed(0)).join(', ')}; per CPU-second ${median(cpuSpeeds).toFixed(0)}; ` +
        `${chunks} chunks, mean ${mean} KiB)`,
    );
    console.log(rows.at(-1));
  }
}
