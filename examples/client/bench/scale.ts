// The scale case of the restic comparison: a seeded tree of many small files (KLUIS_BENCH_SCALE_FILES,
// default 300,000, in directories of 1,000), each a blob of its own, so the repository's index
// grows with the file count. For each tool, in rounds alternating which goes first: the first
// backup and an unchanged re-backup (wall, CPU-seconds, peak RSS), and the index's bytes per blob
// on disk (and, for kluis, in memory). npm run bench -- scale (see docs/benchmarks.md).
// KLUIS_BENCH_SCALE_INDEX_BLOBS (opt-in, e.g. 10000000) then adds that many synthetic entries to
// the last round's repositories' indexes and measures both tools with them (scale-index.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchEnv, median, type TimedRun, timed as timedRun } from './_measure';
import { Rng } from './corpus';
import { indexCase } from './scale-index';

const root = resolve(import.meta.dirname, '..', '..', '..');
const cache = process.env.KLUIS_BENCH_DIR ?? join(tmpdir(), 'kluis-bench');
const files = Number(process.env.KLUIS_BENCH_SCALE_FILES ?? 300_000);
const rounds = Number(process.env.KLUIS_BENCH_ROUNDS ?? 3);
const indexBlobs = Number(process.env.KLUIS_BENCH_SCALE_INDEX_BLOBS ?? 0);
const work = join(cache, 'scale-work');
const cli = join(root, 'examples', 'client', 'dist', 'cli.js');
const env = benchEnv(work);

type Run = TimedRun;

const timed = (cmd: string, args: string[]): Run => timedRun(cmd, args, { env, work });

/** Bytes of the files under `dir`. */
function du(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) n += statSync(join(e.parentPath, e.name)).size;
  return n;
}

/** `files` small files of 100–1,600 bytes of seeded text, 1,000 per directory; generated once. */
async function smallFiles(dir: string): Promise<void> {
  const done = join(dir, '.complete');
  if (existsSync(done)) return;
  await rm(dir, { recursive: true, force: true });
  const rng = new Rng(files);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz      \n';
  for (let d = 0; d * 1000 < files; d++) {
    const sub = join(dir, `d${String(d).padStart(4, '0')}`);
    await mkdir(sub, { recursive: true });
    const writes: Promise<void>[] = [];
    for (let f = d * 1000; f < Math.min(files, (d + 1) * 1000); f++) {
      const n = 100 + rng.below(1500);
      let s = `file ${f}\n`;
      while (s.length < n) s += alphabet[rng.below(alphabet.length)];
      writes.push(writeFile(join(sub, `f${f}.txt`), s));
    }
    await Promise.all(writes);
  }
  await writeFile(done, '');
}

const kluis = (repo: string, ...a: string[]) => timed(process.execPath, [cli, '--repo', repo, ...a]);
const restic = (repo: string, ...a: string[]) => timed('restic', ['--repo', repo, '--no-lock', ...a]);

interface Tool {
  name: string;
  init(repo: string): void;
  backup(repo: string, path: string): Run;
  blobs(repo: string): { count: number; memoryBytes?: number };
}

const tools: Tool[] = [
  {
    name: 'kluis',
    init: (r) => void kluis(r, 'init'),
    backup: (r, p) => kluis(r, 'backup', p, '--host', 'bench', '-q'),
    blobs: (r) => {
      const s = JSON.parse(
        execFileSync(process.execPath, [cli, '--repo', r, 'stats', '--json'], { env }).toString(),
      ) as { blobs: number; indexMemoryBytes: number };
      return { count: s.blobs, memoryBytes: s.indexMemoryBytes };
    },
  },
  {
    name: 'restic',
    init: (r) => void restic(r, 'init'),
    backup: (r, p) => restic(r, 'backup', p, '--host', 'bench', '-q'),
    blobs: (r) => {
      const s = JSON.parse(
        execFileSync('restic', ['--repo', r, '--no-lock', 'stats', '--mode', 'raw-data', '--json'], {
          env,
        }).toString(),
      ) as { total_blob_count: number };
      return { count: s.total_blob_count };
    },
  },
];

async function main() {
  if (!existsSync(cli)) throw new Error('build first: npm run build');
  if (spawnSync('restic', ['version']).status !== 0)
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'restic'], { stdio: 'inherit' });
  const tree = join(cache, `small-${files}`);
  await smallFiles(tree);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const rows: Record<string, Record<string, number>[]> = { kluis: [], restic: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? tools : [...tools].reverse();
    for (const tool of order) {
      const repo = join(work, `round-${round + 1}`, tool.name);
      tool.init(repo);
      const first = tool.backup(repo, tree);
      const again = tool.backup(repo, tree);
      const blobs = tool.blobs(repo);
      const index = du(join(repo, 'index'));
      const row = {
        firstS: first.wall,
        firstCpu: first.cpu,
        firstRss: first.rssMb,
        againS: again.wall,
        againCpu: again.cpu,
        againRss: again.rssMb,
        blobs: blobs.count,
        indexBytesPerBlob: index / blobs.count,
        ...(blobs.memoryBytes ? { memoryBytesPerBlob: blobs.memoryBytes / blobs.count } : {}),
      };
      rows[tool.name]!.push(row);
      console.log(
        `round ${round + 1}/${rounds}, ${tool.name}: ${JSON.stringify(row)} (load average ${loadavg()
          .map((x) => x.toFixed(1))
          .join(' ')})`,
      );
    }
  }
  const k = rows.kluis!;
  const r = rows.restic!;
  const f = (x: number) => x.toFixed(2);
  const line = (label: string, key: string, unit: string) => {
    const ratios = k.map((row, i) => row[key]! / r[i]![key]!);
    return `| ${label} | ${f(median(k.map((x) => x[key]!)))} ${unit} | ${f(median(r.map((x) => x[key]!)))} ${unit} | ${f(median(ratios))}× (${f(Math.min(...ratios))}–${f(Math.max(...ratios))}) |`;
  };
  console.log(
    [
      `Scale case: ${files} files of 100–1,600 bytes (${(du(tree) / 1e6).toFixed(0)} MB), ${k[0]!.blobs} blobs in kluis's index, ${r[0]!.blobs} in restic's.`,
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, ${execFileSync('restic', ['version']).toString().trim()}; ${rounds} rounds, alternating; load average at the end ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}.`,
      '',
      '| measure | kluis | restic | kluis / restic, median (range) |',
      '| --- | --- | --- | --- |',
      line('first backup', 'firstS', 's'),
      line('first backup CPU', 'firstCpu', 'CPU-s'),
      line('first backup peak RSS', 'firstRss', 'MB'),
      line('unchanged re-backup', 'againS', 's'),
      line('unchanged re-backup CPU', 'againCpu', 'CPU-s'),
      line('unchanged re-backup peak RSS', 'againRss', 'MB'),
      line('index on disk, bytes per blob', 'indexBytesPerBlob', 'B'),
      `| kluis's index in memory, bytes per blob | ${f(median(k.map((x) => x.memoryBytesPerBlob!)))} B | – | – |`,
    ].join('\n'),
  );
  if (indexBlobs > 0) {
    const last = (tool: string) => join(work, `round-${rounds}`, tool);
    const report = await indexCase({
      root,
      work,
      env,
      blobs: indexBlobs,
      pairs: rounds,
      password: 'bench',
      kluisRepo: last('kluis'),
      resticRepo: last('restic'),
      again: {
        kluis: () => tools[0]!.backup(last('kluis'), tree),
        restic: () => tools[1]!.backup(last('restic'), tree),
      },
    });
    console.log(`\n${report}`);
  }
}

await main();
