// 30 days of daily backups with a retention policy, kluis and restic on the same data in the same
// run: npm run bench -- retention (see docs/benchmarks.md). Each day a few per cent of the files
// are rewritten, some added, some deleted; each tool backs up, forgets all but the last 7 daily
// snapshots and prunes. Reported: repository bytes against the live data of the kept snapshots,
// and prune time. KLUIS_BENCH_MB (default 300) sizes the tree, KLUIS_BENCH_DAYS (default 30) the run.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { mixedTree, Rng } from './corpus';

const root = resolve(import.meta.dirname, '..', '..', '..');
const work = join(process.env.KLUIS_BENCH_DIR ?? join(tmpdir(), 'kluis-bench'), 'retention');
const cli = join(root, 'examples', 'client', 'dist', 'cli.js');
const MB = Number(process.env.KLUIS_BENCH_MB ?? 300);
const DAYS = Number(process.env.KLUIS_BENCH_DAYS ?? 30);
const KEEP = 7;
const env = {
  ...process.env,
  KLUIS_PASSWORD: 'bench',
  RESTIC_PASSWORD: 'bench',
  RESTIC_CACHE_DIR: join(work, 'restic-cache'),
};

/** Runs a command; returns its wall time in seconds. */
function timed(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.toString().slice(-2000)}`);
  return (performance.now() - t0) / 1000;
}
const du = (p: string) => Number(execFileSync('du', ['-sb', p]).toString().split('\t')[0]);

/** Every regular file under `dir` (relative paths). */
async function files(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await files(dir, p)));
    else if (e.isFile() && !e.name.startsWith('.')) out.push(p);
  }
  return out;
}

/** Content of the tree as path → content hash, with the size of each distinct content. */
interface Day {
  contents: Map<string, string>;
}
const sizes = new Map<string, number>();
const hashOf = (b: Buffer) => {
  const h = createHash('sha256').update(b).digest('hex');
  sizes.set(h, b.length);
  return h;
};

function fresh(rng: Rng, rel: string, size: number): Buffer {
  if (rel.endsWith('.bin')) {
    const b = Buffer.alloc(size);
    rng.fill(b);
    return b;
  }
  const words = 'backup restore snapshot chunk pack index policy retention grace window repository'.split(
    ' ',
  );
  const parts: string[] = [];
  for (let n = 0; n < size; ) {
    const line = `${Array.from({ length: 6 + rng.below(10) }, () => words[rng.below(words.length)]).join(' ')} ${rng.u32().toString(16)}\n`;
    parts.push(line);
    n += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

/** One day of changes: ~3 % of the files rewritten, ~1 % added, ~1 % deleted. */
async function change(tree: string, day: number, current: Map<string, string>): Promise<void> {
  const rng = new Rng(1000 + day);
  const paths = [...current.keys()].sort();
  const pick = (share: number) => paths.filter(() => rng.below(10_000) < share * 10_000);
  for (const rel of pick(0.03)) {
    const b = fresh(rng, rel, Math.max(200, sizes.get(current.get(rel)!)!));
    await writeFile(join(tree, rel), b);
    current.set(rel, hashOf(b));
  }
  for (const rel of pick(0.01)) {
    if (!current.has(rel)) continue;
    await unlink(join(tree, rel));
    current.delete(rel);
  }
  const n = Math.max(1, Math.round(paths.length * 0.01));
  for (let i = 0; i < n; i++) {
    const rel = `src/new-${day}/file-${i}.ts`;
    await mkdir(join(tree, `src/new-${day}`), { recursive: true });
    const b = fresh(rng, rel, 500 + rng.below(30_000));
    await writeFile(join(tree, rel), b);
    current.set(rel, hashOf(b));
  }
}

/** Bytes of the distinct file contents of the kept days: the live data a repository must hold. */
function liveBytes(kept: Day[]): number {
  const distinct = new Set<string>();
  for (const d of kept) for (const h of d.contents.values()) distinct.add(h);
  let n = 0;
  for (const h of distinct) n += sizes.get(h)!;
  return n;
}

async function main() {
  if (!existsSync(cli)) throw new Error('build first: npm run build');
  if (spawnSync('restic', ['version']).status !== 0)
    throw new Error('restic is needed (apt-get install restic)');
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const tree = join(work, 'tree');
  await mixedTree(tree, MB);
  await rm(join(tree, '.complete'));
  const current = new Map<string, string>();
  for (const rel of await files(tree)) current.set(rel, hashOf(await readFile(join(tree, rel))));
  const kRepo = join(work, 'kluis-repo');
  const kNow = join(work, 'kluis-repo-no-grace');
  const rRepo = join(work, 'restic-repo');
  timed(process.execPath, [cli, '--repo', kRepo, 'init']);
  timed(process.execPath, [cli, '--repo', kNow, 'init']);
  timed('restic', ['--repo', rRepo, 'init']);
  const days: Day[] = [];
  const rows: Row[] = [];
  for (let day = 1; day <= DAYS; day++) {
    if (day > 1) await change(tree, day, current);
    days.push({ contents: new Map(current) });
    timed(process.execPath, [cli, '--repo', kRepo, 'backup', tree, '--host', 'bench']);
    timed(process.execPath, [cli, '--repo', kRepo, 'forget', '--keep-last', String(KEEP)]);
    // Daily prunes with --grace-hours 0 delete what yesterday's prune marked: the 24 h grace of
    // a real daily schedule. Today's marks stay in the repository until tomorrow, as they would.
    const kPrune = timed(process.execPath, [cli, '--repo', kRepo, 'prune', '--grace-hours', '0']);
    // What restic's prune does (it locks the repository and deletes at once) is a second prune
    // right after the first: it deletes what the first marked. Safe only with no backup running.
    timed(process.execPath, [cli, '--repo', kNow, 'backup', tree, '--host', 'bench']);
    timed(process.execPath, [cli, '--repo', kNow, 'forget', '--keep-last', String(KEEP)]);
    const kNowPrune =
      timed(process.execPath, [cli, '--repo', kNow, 'prune', '--grace-hours', '0']) +
      timed(process.execPath, [cli, '--repo', kNow, 'prune', '--grace-hours', '0']);
    timed('restic', ['--repo', rRepo, '--no-lock', 'backup', tree, '--host', 'bench']);
    timed('restic', ['--repo', rRepo, 'forget', '--keep-last', String(KEEP)]);
    const rPrune = timed('restic', ['--repo', rRepo, 'prune']);
    const live = liveBytes(days.slice(-KEEP));
    const row = {
      day,
      live,
      kluis: du(kRepo),
      kluisNow: du(kNow),
      restic: du(rRepo),
      kPrune,
      kNowPrune,
      rPrune,
    };
    rows.push(row);
    process.stderr.write(
      `day ${day}: live ${(live / 1e6).toFixed(1)} MB, kluis ${(row.kluis / 1e6).toFixed(1)} MB (${(row.kluisNow / 1e6).toFixed(1)} MB without grace), restic ${(row.restic / 1e6).toFixed(1)} MB\n`,
    );
  }
  report(rows);
}

interface Row {
  day: number;
  live: number;
  kluis: number;
  kluisNow: number;
  restic: number;
  kPrune: number;
  kNowPrune: number;
  rPrune: number;
}

function report(rows: Row[]) {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const shown = rows.filter((r) => r.day === 1 || r.day % 5 === 0 || r.day === rows.length);
  const lines = [
    `${MB} MB seeded tree, ${rows.length} days, keep the last ${KEEP} daily snapshots; ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${execFileSync('restic', ['version']).toString().trim()}`,
    '',
    '| day | live data of kept snapshots (MB) | kluis, 1-day grace (MB) | / live | kluis, no grace (MB) | / live | restic (MB) | / live | kluis no grace / restic |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...shown.map(
      (r) =>
        `| ${r.day} | ${mb(r.live)} | ${mb(r.kluis)} | ${(r.kluis / r.live).toFixed(2)} | ${mb(r.kluisNow)} | ${(r.kluisNow / r.live).toFixed(2)} | ${mb(r.restic)} | ${(r.restic / r.live).toFixed(2)} | ${(r.kluisNow / r.restic).toFixed(2)} |`,
    ),
    '',
  ];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const line = (name: string, f: (xs: number[]) => number) => {
    const k = f(rows.map((r) => r.kPrune));
    const n = f(rows.map((r) => r.kNowPrune));
    const x = f(rows.map((r) => r.rPrune));
    return `| ${name} | ${k.toFixed(2)} | ${n.toFixed(2)} | ${x.toFixed(2)} | ${(k / x).toFixed(2)} |`;
  };
  lines.push(
    '| prune (wall, s) | kluis, 1-day grace | kluis, no grace (two prunes) | restic | kluis 1-day grace / restic |',
    '| --- | --- | --- | --- | --- |',
    line(`total over ${rows.length} days`, (xs) => xs.reduce((a, b) => a + b, 0)),
    line('median day', median),
  );
  console.log(lines.join('\n'));
}

await main();
