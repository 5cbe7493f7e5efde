// kluis and restic over HTTP to the reference server, in the same run: npm run bench -- http
// (see docs/benchmarks.md). One `kluis-server` process on 127.0.0.1 (the built server, run by the
// Node that installed the dependencies: its SQLite module is built for that one), one account per
// tool; each tool backs up the same mixed tree to its own repository there, then repeats the
// unchanged re-backup, kluis with and without its local cache, restic with and without its own,
// interleaved (after one untimed re-backup each that fills the caches). kluis's repository gets
// the scrypt N that restic calibrated for its own at init. Needs the built CLI and server
// (npm run build) and restic (installed from Debian's packages when missing).
//
// KLUIS_BENCH_MB (mixed tree, default 500), KLUIS_BENCH_ROUNDS (fresh repositories, default 3),
// KLUIS_BENCH_PAIRS (re-backups of each kind per round, default 3), KLUIS_BENCH_KDF=default
// (kluis keeps its default scrypt N), KLUIS_BENCH_SERVER_NODE (the Node that runs the server;
// npm run bench sets it).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchEnv, loadAverage, median, timed as timedRun } from './_measure';
import { mixedTree } from './corpus';

interface Run {
  wall: number;
  cpu: number;
  rssMb: number;
  requests: number;
  mbDown: number;
  mbUp: number;
}

const root = resolve(import.meta.dirname, '..', '..', '..');
const cache = process.env.KLUIS_BENCH_DIR ?? join(tmpdir(), 'kluis-bench');
const work = join(cache, 'http-work');
const cli = join(root, 'examples', 'client', 'dist', 'cli.js');
const serverBin = join(root, 'examples', 'server', 'bin', 'kluis-server.js');
const serverNode = process.env.KLUIS_BENCH_SERVER_NODE ?? process.execPath;
const mb = Number(process.env.KLUIS_BENCH_MB ?? 500);
const rounds = Number(process.env.KLUIS_BENCH_ROUNDS ?? 3);
const pairs = Number(process.env.KLUIS_BENCH_PAIRS ?? 3);
const PASSWORD = { kluis: 'kluis-bench-password', restic: 'restic-bench-password' };
const env = benchEnv(work);
const accessLog = join(work, 'server', 'access.log');

/** The access log's entries for `user` written since byte `from`. */
function traffic(user: string, from: number): { requests: number; bytesOut: number; bytesIn: number } {
  const text = readFileSync(accessLog).subarray(from).toString('utf8');
  const t = { requests: 0, bytesOut: 0, bytesIn: 0 };
  for (const line of text.split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as { user?: string; bytesOut?: number; bytesIn?: number };
    if (e.user !== user) continue;
    t.requests++;
    t.bytesOut += e.bytesOut ?? 0;
    t.bytesIn += e.bytesIn ?? 0;
  }
  return t;
}

const logSize = () => (existsSync(accessLog) ? readFileSync(accessLog).length : 0);

/** Runs a command under /usr/bin/time; the server's requests for `user` are counted from its log. */
async function timed(user: 'kluis' | 'restic', cmd: string, args: string[]): Promise<Run> {
  const from = logSize();
  const run = timedRun(cmd, args, { env, work });
  // The server appends each access line when its response ends; let the last ones land.
  await new Promise((ok) => setTimeout(ok, 300));
  const t = traffic(user, from);
  return { ...run, requests: t.requests, mbDown: t.bytesOut / 1e6, mbUp: t.bytesIn / 1e6 };
}

/** Starts `kluis-server serve` on a free loopback port and resolves with its URL. */
function startServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(
    serverNode,
    [serverBin, 'serve', '--data', join(work, 'server'), '--port', '0', '--maintenance-mode', 'off'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  return new Promise((ok, fail) => {
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /listening on (https?:\/\/\S+)/.exec(err);
      if (m)
        ok({
          url: m[1]!.replace(/\/$/, ''),
          stop: () =>
            new Promise<void>((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
    });
    child.once('exit', (code) => fail(new Error(`kluis-server exited (${code}): ${err}`)));
  });
}

/** An account with the admin role on its own area, created with the server's own CLI. */
function addAccount(name: 'kluis' | 'restic'): void {
  execFileSync(
    serverNode,
    [serverBin, 'account', 'add', name, '--role', 'admin', '--data', join(work, 'server'), '--by', 'bench'],
    { input: `${PASSWORD[name]}\n`, stdio: ['pipe', 'ignore', 'pipe'] },
  );
}

type Kind = 'kluis' | 'kluis --no-cache' | 'restic' | 'restic --no-cache';
const KINDS: Kind[] = ['kluis', 'kluis --no-cache', 'restic', 'restic --no-cache'];

function tools(base: string) {
  const url = new URL(base);
  const kluisRepo = (round: number) => {
    const u = new URL(`/kluis/r${round}/`, url);
    u.username = 'kluis';
    u.password = PASSWORD.kluis;
    return u.toString();
  };
  const resticRepo = (round: number) =>
    `rest:${url.protocol}//restic:${PASSWORD.restic}@${url.host}/restic/r${round}/`;
  const kluis = (round: number, ...a: string[]) =>
    timed('kluis', process.execPath, [cli, '--repo', kluisRepo(round), ...a]);
  const restic = (round: number, ...a: string[]) =>
    timed('restic', 'restic', ['--repo', resticRepo(round), '--no-lock', ...a]);
  return {
    init: {
      kluis: (r: number, scryptN?: number) =>
        kluis(r, 'init', ...(scryptN ? ['--scrypt-n', String(scryptN)] : [])),
      restic: (r: number) => restic(r, 'init'),
    },
    backup(kind: Kind, round: number, tree: string): Promise<Run> {
      const extra = kind.endsWith('--no-cache') ? ['--no-cache'] : [];
      return kind.startsWith('kluis')
        ? kluis(round, 'backup', tree, '--host', 'bench', '-q', ...extra)
        : restic(round, 'backup', tree, '--host', 'bench', '-q', ...extra);
    },
  };
}

async function main() {
  if (!existsSync(cli) || !existsSync(join(root, 'examples', 'server', 'dist', 'cli.js')))
    throw new Error('build first: npm run build');
  if (spawnSync('restic', ['version']).status !== 0)
    execFileSync('bash', [join(root, 'scripts', 'ensure-debian-package.sh'), 'restic'], { stdio: 'inherit' });
  const tree = join(cache, `mixed-${mb}`);
  const bytes = await mixedTree(tree, mb);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  addAccount('kluis');
  addAccount('restic');
  const server = await startServer();
  const t = tools(server.url);
  // first[tool][round]; again[kind][round][pair]
  const first: Record<'kluis' | 'restic', Run[]> = { kluis: [], restic: [] };
  const again = Object.fromEntries(KINDS.map((k) => [k, [] as Run[][]])) as Record<Kind, Run[][]>;
  const loads: string[] = [];
  const kdf: string[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      loads.push(loadAverage());
      const order = round % 2 === 0 ? (['kluis', 'restic'] as const) : (['restic', 'kluis'] as const);
      // restic calibrates its key derivation at init (scrypt N for ~0.5 s on this machine, at
      // this load); kluis's repository gets the same N, so that neither pays more for its key on
      // every command (KLUIS_BENCH_KDF=default keeps kluis's own default).
      await t.init.restic(round);
      const n = resticScryptN(round);
      await t.init.kluis(round, process.env.KLUIS_BENCH_KDF === 'default' ? undefined : n);
      kdf.push(`${kluisScryptN(round)} / ${n}`);
      for (const tool of order) first[tool].push(await t.backup(tool, round, tree));
      // One untimed re-backup each, so that every timed one with a cache finds it filled (a first
      // backup leaves the trees it wrote out of kluis's cache).
      for (const tool of order) await t.backup(tool, round, tree);
      for (const k of KINDS) again[k].push([]);
      for (let p = 0; p < pairs; p++) {
        // Each kind goes first, second, third and fourth in turn.
        const shift = (round * pairs + p) % KINDS.length;
        for (const k of [...KINDS.slice(shift), ...KINDS.slice(0, shift)])
          again[k][round]!.push(await t.backup(k, round, tree));
      }
      loads.push(loadAverage());
      console.log(
        `round ${round + 1}/${rounds}: first ${first.kluis[round]!.wall} s / ${first.restic[round]!.wall} s; again ${KINDS.map(
          (k) => `${k} ${again[k][round]!.map((r) => r.wall).join(',')}`,
        ).join('; ')} (load ${loads.at(-2)} → ${loads.at(-1)})`,
      );
    }
  } finally {
    await server.stop();
  }
  report(bytes, first, again, loads, kdf);
}

/** The scrypt cost N of a repository's (first) key file, as stored on the server. */
function scryptN(tool: 'kluis' | 'restic', round: number): number {
  const keys = join(work, 'server', 'storage', tool, `r${round}`, 'keys');
  const [name] = readdirSync(keys);
  return (JSON.parse(readFileSync(join(keys, name!), 'utf8')) as { N: number }).N;
}
const resticScryptN = (round: number) => scryptN('restic', round);
const kluisScryptN = (round: number) => scryptN('kluis', round);

function report(
  bytes: number,
  first: Record<'kluis' | 'restic', Run[]>,
  again: Record<Kind, Run[][]>,
  loads: string[],
  kdf: string[],
) {
  const f = (x: number) => x.toFixed(2);
  const range = (xs: number[]) => `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
  // Ratios within a round: the median of a kind's re-backups against the median of the other's.
  const roundMedian = (k: Kind, round: number, key: keyof Run) => median(again[k][round]!.map((r) => r[key]));
  const ratio = (a: Kind, b: Kind, key: keyof Run) => {
    const rs = again[a].map((_, round) => roundMedian(a, round, key) / roundMedian(b, round, key));
    return `${range(rs)}×`;
  };
  const all = (k: Kind, key: keyof Run) => again[k].flat().map((r) => r[key]);
  const firstRatio = (key: keyof Run) =>
    `${range(first.kluis.map((r, i) => r[key] / first.restic[i]![key]))}×`;
  const out = [
    `Mixed tree: ${(bytes / 1e6).toFixed(0)} MB, over HTTP to one kluis-server on 127.0.0.1 (Node ${execFileSync(serverNode, ['--version']).toString().trim()}); client Node ${process.version}, ${execFileSync('restic', ['version']).toString().trim()}.`,
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; load average (1, 5, 15 min) at the start and end of each round: ${loads.join(' | ')}.`,
    `${rounds} rounds (fresh repositories, first backups alternating which tool goes first), then ${pairs} unchanged re-backups of each kind per round, interleaved, rotating which goes first. ` +
      'Figures: median (min–max) over all runs; ratios: median (min–max) over the rounds of the ratio of the two medians within the round. ' +
      `Key derivation, scrypt N of kluis / restic per round: ${kdf.join(', ')}.`,
    '',
    '| first backup | kluis | restic | kluis / restic |',
    '| --- | --- | --- | --- |',
    `| throughput | ${range(first.kluis.map((r) => bytes / 1e6 / r.wall))} MB/s | ${range(first.restic.map((r) => bytes / 1e6 / r.wall))} MB/s | ${range(first.kluis.map((r, i) => first.restic[i]!.wall / r.wall))}× |`,
    `| CPU | ${range(first.kluis.map((r) => r.cpu))} CPU-s | ${range(first.restic.map((r) => r.cpu))} CPU-s | ${firstRatio('cpu')} |`,
    `| peak RSS | ${range(first.kluis.map((r) => r.rssMb))} MB | ${range(first.restic.map((r) => r.rssMb))} MB | ${firstRatio('rssMb')} |`,
    `| requests | ${range(first.kluis.map((r) => r.requests))} | ${range(first.restic.map((r) => r.requests))} | |`,
    '',
    '| unchanged re-backup | wall s | CPU-s | peak RSS MB | requests | MB received | MB sent |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...KINDS.map(
      (k) =>
        `| ${k} | ${range(all(k, 'wall'))} | ${range(all(k, 'cpu'))} | ${range(all(k, 'rssMb'))} | ${median(all(k, 'requests'))} | ${f(median(all(k, 'mbDown')))} | ${f(median(all(k, 'mbUp')))} |`,
    ),
    '',
    '| unchanged re-backup, ratio of wall times within a round | median (min–max) | target |',
    '| --- | --- | --- |',
    `| kluis / restic (both with their caches) | ${ratio('kluis', 'restic', 'wall')} | ≤ 0.5× |`,
    `| kluis --no-cache / restic | ${ratio('kluis --no-cache', 'restic', 'wall')} | — |`,
    `| kluis --no-cache / restic --no-cache | ${ratio('kluis --no-cache', 'restic --no-cache', 'wall')} | — |`,
    `| kluis / kluis --no-cache | ${ratio('kluis', 'kluis --no-cache', 'wall')} | — |`,
    `| kluis / restic, CPU-seconds | ${ratio('kluis', 'restic', 'cpu')} | — |`,
  ];
  console.log(out.join('\n'));
}

await main();
