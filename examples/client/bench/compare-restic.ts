// kluis vs restic on the same seeded data, in the same run: npm run bench (see docs/benchmarks.md).
// Needs the built CLI (npm run build) and restic (installed from Debian's packages if missing).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { median, type TimedRun, timed as timedRun } from './_measure';
import { editedPair, mixedTree } from './corpus';

type Run = TimedRun;

const root = resolve(import.meta.dirname, '..', '..', '..');
const cache = process.env.KLUIS_BENCH_DIR ?? join(tmpdir(), 'kluis-bench');
const work = join(cache, 'work');
const cli = join(root, 'examples', 'client', 'dist', 'cli.js');
const env = {
  ...process.env,
  KLUIS_PASSWORD: 'bench',
  RESTIC_PASSWORD: 'bench',
  RESTIC_CACHE_DIR: join(work, 'restic-cache'),
};

function timed(cmd: string, args: string[], cwd = work): Run {
  return timedRun(cmd, args, { env, work, cwd });
}

const du = (p: string) => Number(execFileSync('du', ['-sb', p]).toString().split('\t')[0]);
const kluis = (repo: string, ...a: string[]) => timed(process.execPath, [cli, '--repo', repo, ...a]);
const restic = (repo: string, ...a: string[]) => timed('restic', ['--repo', repo, '--no-lock', ...a]);

interface Tool {
  name: string;
  init(repo: string): void;
  backup(repo: string, path: string): Run;
  restore(repo: string, target: string): Run;
  check(repo: string): Run;
}

const tools: Tool[] = [
  {
    name: 'kluis',
    init: (r) => void kluis(r, 'init'),
    backup: (r, p) => kluis(r, 'backup', p, '--host', 'bench'),
    restore: (r, t) => kluis(r, 'restore', 'latest', '--target', t),
    check: (r) => kluis(r, 'check', '--read-data'),
  },
  {
    name: 'restic',
    init: (r) => void restic(r, 'init'),
    backup: (r, p) => restic(r, 'backup', p, '--host', 'bench'),
    restore: (r, t) => restic(r, 'restore', 'latest', '--target', t),
    check: (r) => restic(r, 'check', '--read-data'),
  },
];

type Row = Record<string, number>;

async function main() {
  if (!existsSync(cli)) throw new Error('build first: npm run build');
  if (spawnSync('restic', ['version']).status !== 0) {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'restic'], { stdio: 'inherit' });
  }
  const mb = Number(process.env.KLUIS_BENCH_MB ?? 500);
  const rounds = Number(process.env.KLUIS_BENCH_ROUNDS ?? 5);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('KLUIS_BENCH_ROUNDS needs a whole number ≥ 1');
  const tree = join(cache, `mixed-${mb}`);
  const bytes = await mixedTree(tree, mb);
  const pair = await editedPair(join(cache, 'edited'));
  await clearWork();
  // rows[tool][round]: each round runs both tools, alternating which goes first, so that a slow
  // spell of the machine or a warmer cache favours neither; each tool's figures are compared
  // with the other's in the same round.
  const rows: Record<string, Row[]> = { kluis: [], restic: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? tools : [...tools].reverse();
    for (const tool of order) {
      // Each run works in its own directory, and nothing is deleted until the next run of the
      // benchmark: see clearWork.
      const dir = join(work, `round-${round + 1}`, tool.name);
      await mkdir(dir, { recursive: true });
      const row = timedRuns(tool, dir, tree, bytes);
      if (round === 0) Object.assign(row, storageRuns(tool, dir, pair));
      rows[tool.name]!.push(row);
      console.log(`round ${round + 1}/${rounds}, ${tool.name}: ${summary(row)}`);
    }
  }
  report(bytes, rows);
}

/**
 * Whether the page cache may be dropped here (root, and /proc/sys/vm/drop_caches writable): then
 * each round also times a first backup with nothing of the tree cached. Decided once.
 */
const canDropCaches = (() => {
  try {
    execFileSync('sh', ['-c', 'sync && echo 3 > /proc/sys/vm/drop_caches'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** First backup (cold where the page cache may be dropped, then warm), re-backup, restore, check. */
function timedRuns(tool: Tool, dir: string, tree: string, bytes: number): Row {
  const cold: Row = {};
  if (canDropCaches) {
    const coldRepo = join(dir, 'repo-cold');
    tool.init(coldRepo);
    execFileSync('sh', ['-c', 'sync && echo 3 > /proc/sys/vm/drop_caches']);
    const c = tool.backup(coldRepo, tree);
    cold.coldMBps = bytes / 1e6 / c.wall;
    cold.coldCpu = c.cpu;
  }
  const repo = join(dir, 'repo');
  tool.init(repo);
  const first = tool.backup(repo, tree);
  const repoBytes = du(repo);
  const again = tool.backup(repo, tree);
  const restored = tool.restore(repo, join(dir, 'restore'));
  const checked = tool.check(repo);
  return {
    firstMBps: bytes / 1e6 / first.wall,
    firstCpu: first.cpu,
    firstRss: first.rssMb,
    againS: again.wall,
    restoreMBps: bytes / 1e6 / restored.wall,
    checkS: checked.wall,
    repoMB: repoBytes / 1e6,
    ...cold,
  };
}

/** Bytes stored for the edited copy of the large file, backed up under the same path. */
function storageRuns(tool: Tool, dir: string, pair: { original: string; edited: string }): Row {
  const big = join(dir, 'big-repo');
  tool.init(big);
  // Back up the edited copy under the same path, as a user editing the file would.
  mkdirSync(join(dir, 'big'), { recursive: true });
  execFileSync('cp', ['--reflink=auto', pair.original, join(dir, 'big', 'big.bin')]);
  tool.backup(big, join(dir, 'big'));
  const base = du(big);
  execFileSync('cp', ['--reflink=auto', pair.edited, join(dir, 'big', 'big.bin')]);
  tool.backup(big, join(dir, 'big'));
  return { editMB: (du(big) - base) / 1e6 };
}

const summary = (r: Row) =>
  `first ${r.firstMBps!.toFixed(1)} MB/s, ${r.firstCpu!.toFixed(2)} CPU-s, ${r.firstRss!.toFixed(0)} MB; ` +
  `again ${r.againS!.toFixed(2)} s; restore ${r.restoreMBps!.toFixed(1)} MB/s; check ${r.checkS!.toFixed(2)} s`;

/** Seconds after which ext4 no longer skips a deleted inode when allocating one (RECENTCY_MIN). */
const INODE_RECENCY_S = 60;

/**
 * Removes the previous run's work directory, then lets the deletion settle before anything is
 * timed. ext4 without a journal will not reuse an inode freed in the last minute: until then each
 * new file checks the recently freed inodes one by one, which made creating the ~10,000 files of a
 * restore take seconds of kernel time right after a previous restore's files were deleted (a tool
 * restoring after the other tool's files were removed was slowed by whatever the timing happened
 * to be). So the run starts only once that minute has passed, and deletes nothing until it ends.
 */
async function clearWork(): Promise<void> {
  if (!existsSync(work)) return;
  await rm(work, { recursive: true, force: true });
  execFileSync('sync');
  const wait = Number(process.env.KLUIS_BENCH_SETTLE_S ?? INODE_RECENCY_S + 5);
  console.log(`removed the previous run's files; waiting ${wait} s before timing anything`);
  await new Promise((r) => setTimeout(r, wait * 1000));
  await mkdir(work, { recursive: true });
}

function report(bytes: number, r: Record<string, Row[]>) {
  const k = r.kluis!;
  const s = r.restic!;
  const rounds = k.length;
  const f = (x: number) => x.toFixed(2);
  const cell = (rows: Row[], key: string, unit: string) => {
    const xs = rows.map((x) => x[key]).filter((x): x is number => x !== undefined);
    return xs.length > 1
      ? `${f(median(xs))} ${unit} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`
      : `${f(xs[0]!)} ${unit}`;
  };
  const line = (label: string, key: string, unit: string, better: 'higher' | 'lower', target: string) => {
    // The ratio of the two tools within each round, then the median of those ratios.
    const ratios = k.flatMap((row, i) =>
      row[key] === undefined || s[i]?.[key] === undefined ? [] : [row[key]! / s[i]![key]!],
    );
    const ratio =
      ratios.length > 1
        ? `${f(median(ratios))}× (${f(Math.min(...ratios))}–${f(Math.max(...ratios))})`
        : `${f(ratios[0]!)}×`;
    return `| ${label} | ${cell(k, key, unit)} | ${cell(s, key, unit)} | ${ratio} | ${target} (${better} is better) |`;
  };
  const out = [
    `Mixed tree: ${(bytes / 1e6).toFixed(0)} MB; 1 GiB file with 100 scattered edits + 1 MiB insertion.`,
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${execFileSync('restic', ['version']).toString().trim()}; load average at the end: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(', ')}`,
    rounds > 1
      ? `${rounds} rounds, alternating which tool goes first. Timed measures: median (min–max) over the rounds; ` +
        "ratio: median (min–max) of the two tools' ratios within each round. Stored bytes of the edited file: first round only."
      : '1 round.',
    '',
    '| measure | kluis | restic | kluis / restic | target |',
    '| --- | --- | --- | --- | --- |',
    line('first backup throughput', 'firstMBps', 'MB/s', 'higher', '≥ 1.5×'),
    line('first backup CPU', 'firstCpu', 'CPU-s', 'lower', '≤ 1×'),
    line('first backup peak RSS', 'firstRss', 'MB', 'lower', '≤ 1.4×'),
    ...(k[0]?.coldMBps === undefined
      ? ['| first backup, cold page cache | not measured: the page cache cannot be dropped here | | | |']
      : [
          line('first backup throughput, cold page cache', 'coldMBps', 'MB/s', 'higher', '—'),
          line('first backup CPU, cold page cache', 'coldCpu', 'CPU-s', 'lower', '—'),
        ]),
    line('unchanged re-backup', 'againS', 's', 'lower', '≤ 0.6×'),
    line('edited 1 GiB file: new storage', 'editMB', 'MB', 'lower', '≤ 0.1×'),
    line('restore throughput', 'restoreMBps', 'MB/s', 'higher', '≥ 1.2×'),
    line('check --read-data', 'checkS', 's', 'lower', '≤ 1×'),
    line('repository size, mixed tree', 'repoMB', 'MB', 'lower', '≤ 1.0×'),
  ];
  console.log(out.join('\n'));
}

await main();
