// zstd against deflate-raw on the bench's mixed tree, in interleaved pairs: the first backup of
// each codec into a fresh local repository (wall and CPU time, repository size), and how fast
// each zstd decoder reads the tree's zstd frames. npm run bench -- codecs (see docs/benchmarks.md).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backup, initRepository } from '@kluis/core';
import { type CompressionCodec, portableZstd } from '@kluis/core/format';
import { fsSource, localTransport, nodeDeflateRaw, nodeRepositoryOptions, nodeZstd } from '@kluis/core/node';
import { jsZstd } from '../../../packages/core/src/_zstd-decoders';
import { mixedTree } from './corpus';

const cache = process.env.KLUIS_BENCH_DIR ?? join(tmpdir(), 'kluis-bench');
const mb = Number(process.env.KLUIS_BENCH_MB ?? 500);
const rounds = Number(process.env.KLUIS_BENCH_ROUNDS ?? 3);

function du(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) n += statSync(join(e.parentPath, e.name)).size;
  return n;
}

async function firstBackup(codec: CompressionCodec, tree: string, repoDir: string) {
  await rm(repoDir, { recursive: true, force: true });
  execFileSync('sync');
  const repo = await initRepository(localTransport({ root: repoDir }), {
    password: 'bench',
    ...nodeRepositoryOptions(),
    codec,
    scrypt: { N: 1 << 14, r: 8, p: 1 },
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await backup(repo, fsSource([tree]));
  await repo.close();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  return { wall, cpu: (c.user + c.system) / 1e6, size: du(repoDir) };
}

/** The tree's text files cut into 64 KiB pieces, as zstd frames: decode speed of each decoder. */
async function decodeSpeeds(zstd: CompressionCodec, tree: string) {
  const pieces: Uint8Array[] = [];
  let raw = 0;
  const srcDir = join(tree, 'src');
  for (const e of readdirSync(srcDir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || raw > 32e6) continue;
    const b = readFileSync(join(e.parentPath, e.name));
    for (let o = 0; o < b.length; o += 65536) pieces.push(b.subarray(o, o + 65536));
    raw += b.length;
  }
  // A third random, as the tree has: zstd stores those pieces as raw blocks.
  const noise = readFileSync(join(tree, 'media', readdirSync(join(tree, 'media'))[0]!)).subarray(0, raw >> 1);
  for (let o = 0; o < noise.length; o += 65536) pieces.push(noise.subarray(o, o + 65536));
  raw += noise.length;
  const frames = await Promise.all(pieces.map((p) => zstd.compress(p)));
  const decoders: [string, (f: Uint8Array, n: number) => unknown][] = [
    ['native node:zlib', (f, n) => zstd.decompress(f, n)],
    ['portable (zstddec, wasm)', (f, n) => portableZstd.decompress(f, n)],
    ['portable without WebAssembly (fzstd)', jsZstd],
  ];
  await portableZstd.decompress(frames[0]!, pieces[0]!.length); // loads the wasm module
  const out: Record<string, number> = {};
  for (const [name, d] of decoders) {
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      for (let i = 0; i < frames.length; i++) d(frames[i]!, pieces[i]!.length);
      best = Math.min(best, performance.now() - t0);
    }
    out[name] = raw / 1e6 / (best / 1000);
  }
  return { rawMb: raw / 1e6, speeds: out };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function main() {
  const tree = join(cache, `mixed-${mb}`);
  const bytes = await mixedTree(tree, mb);
  console.log(`Node ${process.version}, mixed tree ${(bytes / 1e6).toFixed(0)} MB, ${rounds} rounds`);
  if (!nodeZstd) {
    console.log(`no zstd in node:zlib on Node ${process.version}: this runtime writes deflate-raw only`);
    return;
  }
  const codecs: [string, CompressionCodec][] = [
    ['zstd', nodeZstd],
    ['deflate-raw', nodeDeflateRaw],
  ];
  const rows: Record<string, { wall: number; cpu: number; size: number }[]> = { zstd: [], 'deflate-raw': [] };
  const work = join(cache, 'codecs');
  await mkdir(work, { recursive: true });
  for (let round = 0; round < rounds; round++) {
    for (const [name, codec] of round % 2 === 0 ? codecs : [...codecs].reverse()) {
      const r = await firstBackup(codec, tree, join(work, name));
      rows[name]!.push(r);
      console.log(
        `round ${round + 1}, ${name}: ${r.wall.toFixed(2)} s, ${r.cpu.toFixed(2)} CPU-s, ${(r.size / 1e6).toFixed(1)} MB`,
      );
    }
  }
  await rm(work, { recursive: true, force: true });
  const z = rows.zstd!;
  const d = rows['deflate-raw']!;
  const m = (rs: typeof z, k: 'wall' | 'cpu' | 'size') => median(rs.map((r) => r[k]));
  const ratio = (k: 'wall' | 'cpu' | 'size') => median(z.map((r, i) => r[k] / d[i]![k]));
  console.log('\n| first backup (medians) | zstd | deflate-raw | zstd / deflate (median of pairs) |');
  console.log('| --- | --- | --- | --- |');
  console.log(
    `| wall time | ${m(z, 'wall').toFixed(2)} s | ${m(d, 'wall').toFixed(2)} s | ${ratio('wall').toFixed(2)} |`,
  );
  console.log(
    `| CPU time | ${m(z, 'cpu').toFixed(2)} s | ${m(d, 'cpu').toFixed(2)} s | ${ratio('cpu').toFixed(2)} |`,
  );
  console.log(
    `| throughput | ${(bytes / 1e6 / m(z, 'wall')).toFixed(0)} MB/s | ${(bytes / 1e6 / m(d, 'wall')).toFixed(0)} MB/s | |`,
  );
  console.log(
    `| repository size | ${(m(z, 'size') / 1e6).toFixed(1)} MB | ${(m(d, 'size') / 1e6).toFixed(1)} MB | ${ratio('size').toFixed(3)} |`,
  );
  const { rawMb, speeds } = await decodeSpeeds(nodeZstd, tree);
  console.log(`\n| zstd decoder (${rawMb.toFixed(0)} MB of 64 KiB frames, 2/3 text) | MB/s |`);
  console.log('| --- | --- |');
  for (const [name, s] of Object.entries(speeds)) console.log(`| ${name} | ${s.toFixed(0)} |`);
}

await main();
