// The scale case's large index (KLUIS_BENCH_SCALE_INDEX_BLOBS, e.g. 10000000): synthetic blob
// entries are added to the index of a kluis and a restic repository that already hold a backup of
// the small-files tree (see synthetic-index.ts and synthetic-restic-index.ts: real index files,
// naming packs that exist only as index entries). Then, in the same run: kluis's index load time
// and memory (a child process that only opens the repository and loads its index), and each
// tool's unchanged re-backup of the tree with the large index, interleaved with the other's.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadAverage, median, type TimedRun } from './_measure';
import { addSyntheticIndex } from './synthetic-index';
import { addSyntheticResticIndex } from './synthetic-restic-index';

/** Wall seconds, CPU-seconds and peak RSS of one command. */
export type Run = TimedRun;

/** What the large-index case needs from the scale case. */
export interface IndexCaseInput {
  root: string;
  work: string;
  env: NodeJS.ProcessEnv;
  blobs: number;
  pairs: number;
  password: string;
  kluisRepo: string;
  resticRepo: string;
  /** An unchanged re-backup of the tree by each tool. */
  again: { kluis: () => Run; restic: () => Run };
}

// Loads the index of the kluis repository at argv[1] through the built @kluis/core, with nothing
// else, and prints the load time and memory as JSON (run with --expose-gc).
const LOAD_PROBE = `
import { openRepository } from '@kluis/core';
import { localTransport, nativeCrypto } from '@kluis/core/node';
const repo = await openRepository(localTransport({ root: process.argv[1] }), { password: process.env.KLUIS_PASSWORD, crypto: nativeCrypto });
globalThis.gc();
const before = process.memoryUsage().rss;
const t = performance.now();
await repo.blobs.loadIndex();
const ms = performance.now() - t;
const loaded = process.memoryUsage().rss;
globalThis.gc();
const m = process.memoryUsage();
console.log(JSON.stringify({ ms, blobs: repo.blobs.index.size, indexBytes: repo.blobs.index.memoryBytes,
  rssBefore: before, rssLoaded: loaded, rssAfterGc: m.rss, heapUsed: m.heapUsed, external: m.external }));
await repo.close();
`;

interface Load {
  ms: number;
  blobs: number;
  indexBytes: number;
  rssBefore: number;
  rssLoaded: number;
  rssAfterGc: number;
  heapUsed: number;
  external: number;
  peakRss: number;
}

function loadIndex(i: IndexCaseInput): Load {
  const out = join(i.work, 'probe-time.txt');
  const r = spawnSync(
    '/usr/bin/time',
    [
      '-o',
      out,
      '-f',
      '%M',
      process.execPath,
      '--expose-gc',
      '--input-type=module',
      '-e',
      LOAD_PROBE,
      i.kluisRepo,
    ],
    { cwd: i.root, env: i.env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 },
  );
  if (r.status !== 0) throw new Error(`index load failed: ${r.stderr.toString().slice(-2000)}`);
  const peak = Number(readFileSync(out, 'utf8').trim().split('\n').at(-1)) * 1024;
  return { ...(JSON.parse(r.stdout.toString()) as Omit<Load, 'peakRss'>), peakRss: peak };
}

function indexBytes(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) n += statSync(join(dir, name)).size;
  return n;
}

/** Runs the large-index case and returns its report (markdown). */
export async function indexCase(i: IndexCaseInput): Promise<string> {
  const log = (s: string) => console.log(`[index ${i.blobs}] ${s} (load ${loadAverage()})`);
  const pairs = (n: number) => {
    const rows: { kluis: Run; restic: Run; load: string }[] = [];
    for (let p = 0; p < n; p++) {
      // Alternating which tool goes first.
      if (p % 2 === 0) {
        const kluis = i.again.kluis();
        rows.push({ kluis, restic: i.again.restic(), load: loadAverage() });
      } else {
        const restic = i.again.restic();
        rows.push({ kluis: i.again.kluis(), restic, load: loadAverage() });
      }
    }
    return rows;
  };
  const smallLoad = loadIndex(i);
  log(`kluis index before: ${JSON.stringify(smallLoad)}`);
  const small = pairs(i.pairs);
  log(`re-backups before: ${JSON.stringify(small)}`);
  const kluisDiskBefore = indexBytes(join(i.kluisRepo, 'index'));
  const resticDiskBefore = indexBytes(join(i.resticRepo, 'index'));
  const kGen = await addSyntheticIndex(i.kluisRepo, i.password, i.blobs);
  log(`kluis: wrote ${JSON.stringify(kGen)}`);
  const rGen = addSyntheticResticIndex(i.resticRepo, i.password, i.blobs);
  log(`restic: wrote ${JSON.stringify(rGen)}`);
  const bigLoad = loadIndex(i);
  log(`kluis index after: ${JSON.stringify(bigLoad)}`);
  // One untimed re-backup each: both tools copy the new index files into their caches.
  i.again.kluis();
  i.again.restic();
  const big = pairs(i.pairs);
  log(`re-backups after: ${JSON.stringify(big)}`);
  const added = bigLoad.blobs - smallLoad.blobs;
  const f = (x: number, d = 2) => x.toFixed(d);
  const mb = (x: number) => `${f(x / 1e6, 0)} MB`;
  const med = (rows: typeof small, tool: 'kluis' | 'restic', key: keyof Run) =>
    median(rows.map((r) => r[tool][key]));
  const ratio = (rows: typeof small, key: keyof Run) => {
    const rs = rows.map((r) => r.kluis[key] / r.restic[key]);
    return `${f(median(rs))}× (${f(Math.min(...rs))}–${f(Math.max(...rs))})`;
  };
  const perBlob = (tool: 'kluis' | 'restic') =>
    ((med(big, tool, 'rssMb') - med(small, tool, 'rssMb')) * 2 ** 20) / added;
  return [
    `Large index: ${added.toLocaleString('en')} synthetic blob entries added to each repository ` +
      `(kluis: ${kGen.files} index files, ${mb(kGen.bytes)}, written in ${f(kGen.seconds, 1)} s; ` +
      `restic: ${rGen.files} index files, ${mb(rGen.bytes)}, written in ${f(rGen.seconds, 1)} s). ` +
      `${i.pairs} interleaved re-backup pairs before and after; load average after each pair: before ${small.map((r) => r.load).join(' | ')}; after ${big.map((r) => r.load).join(' | ')}.`,
    '',
    '| measure | kluis | restic | kluis / restic |',
    '| --- | --- | --- | --- |',
    `| index on disk, bytes per synthetic blob | ${f(kGen.bytes / i.blobs)} B | ${f(rGen.bytes / i.blobs)} B | ${f(kGen.bytes / rGen.bytes)}× |`,
    `| index on disk before / after | ${mb(kluisDiskBefore)} / ${mb(kluisDiskBefore + kGen.bytes)} | ${mb(resticDiskBefore)} / ${mb(resticDiskBefore + rGen.bytes)} | |`,
    `| unchanged re-backup before, wall | ${f(med(small, 'kluis', 'wall'))} s | ${f(med(small, 'restic', 'wall'))} s | ${ratio(small, 'wall')} |`,
    `| unchanged re-backup after, wall | ${f(med(big, 'kluis', 'wall'))} s | ${f(med(big, 'restic', 'wall'))} s | ${ratio(big, 'wall')} |`,
    `| unchanged re-backup after, CPU | ${f(med(big, 'kluis', 'cpu'))} CPU-s | ${f(med(big, 'restic', 'cpu'))} CPU-s | ${ratio(big, 'cpu')} |`,
    `| unchanged re-backup peak RSS, before / after | ${f(med(small, 'kluis', 'rssMb'), 0)} / ${f(med(big, 'kluis', 'rssMb'), 0)} MB | ${f(med(small, 'restic', 'rssMb'), 0)} / ${f(med(big, 'restic', 'rssMb'), 0)} MB | ${ratio(big, 'rssMb')} (after) |`,
    `| peak RSS added per blob (re-backup) | ${f(perBlob('kluis'), 1)} B | ${f(perBlob('restic'), 1)} B | ${f(perBlob('kluis') / perBlob('restic'))}× |`,
    '',
    "kluis's index load alone (a process that opens the repository and loads the index, nothing else):",
    '',
    '| | blobs | load time | index arrays | RSS after load | RSS after GC | peak RSS | heap used after GC |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...[
      ['before', smallLoad],
      ['after', bigLoad],
    ].map(([label, l]) => {
      const x = l as Load;
      return `| ${label} | ${x.blobs.toLocaleString('en')} | ${f(x.ms / 1000)} s | ${mb(x.indexBytes)} (${f(x.indexBytes / x.blobs, 1)} B/blob) | ${mb(x.rssLoaded)} | ${mb(x.rssAfterGc)} | ${mb(x.peakRss)} | ${mb(x.heapUsed)} |`;
    }),
    `| added per blob | | ${f(((bigLoad.ms - smallLoad.ms) * 1000) / added, 2)} µs | ${f((bigLoad.indexBytes - smallLoad.indexBytes) / added, 1)} B | ${f((bigLoad.rssLoaded - smallLoad.rssLoaded) / added, 1)} B | ${f((bigLoad.rssAfterGc - smallLoad.rssAfterGc) / added, 1)} B | ${f((bigLoad.peakRss - smallLoad.peakRss) / added, 1)} B | |`,
    '',
    `restic: ${execFileSync('restic', ['version']).toString().trim()}`,
  ].join('\n');
}
