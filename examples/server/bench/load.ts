/**
 * Load check of the reference server on loopback, as separate server processes: N concurrent
 * clients (default 50), each with its own account, upload random objects and list their
 * repository for a bounded time (default 15 s per setup), then every uploaded object is checked to
 * be listed with its size, a sample is read back, and each account's usage must equal its stored
 * bytes. Setups: 1 node on SQLite, 1 node on PostgreSQL, 3 nodes on PostgreSQL (clients spread
 * over the nodes, one storage). Prints requests/s, p50/p99 latency, and CPU per request of the
 * server processes and of PostgreSQL (from /proc), so the cost of the shared database and of more
 * nodes on the same cores is visible. PostgreSQL is started by scripts/postgres/start-postgres.sh
 * (a throwaway cluster with fsync off, as SQLite here runs WAL with synchronous=NORMAL).
 *
 *   npx tsx --conditions=@kluis/source examples/server/bench/load.ts [clients] [seconds] [setup…]
 *   setups: sqlite, postgres, postgres-3 (default: all three)
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../src/password.ts';
import { openStore } from '../src/store.ts';
import { type ServerProcess, spawnServer } from '../test/_process.ts';

const args = process.argv.slice(2);
const numbers = args.filter((a) => /^\d+$/.test(a));
const clients = Number(numbers[0] ?? 50);
const seconds = Number(numbers[1] ?? 15);
const SETUPS = { sqlite: 1, postgres: 1, 'postgres-3': 3 } as const;
type Setup = keyof typeof SETUPS;
const picked = (args.filter((a) => a in SETUPS) as Setup[]).length
  ? (args.filter((a) => a in SETUPS) as Setup[])
  : (Object.keys(SETUPS) as Setup[]);
const root = join(import.meta.dirname, '..', '..', '..');
const bin = join(import.meta.dirname, '..', 'bin', 'kluis-server.js');
const password = 'load-test-password';
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** CPU milliseconds used so far by `pid` (with its waited-for children, for PostgreSQL's). */
function cpuMs(pid: number, withChildren = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    // Fields after the name start at 3 (state): utime 14, stime 15, cutime 16, cstime 17.
    const ticks = f[11]! + f[12]! + (withChildren ? f[13]! + f[14]! : 0);
    return ticks * TICK_MS;
  } catch {
    return 0;
  }
}

/** CPU of a PostgreSQL cluster: the postmaster, its running backends, and those that have exited. */
function postgresCpuMs(postmaster: number): number {
  let total = cpuMs(postmaster, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) total += cpuMs(Number(entry));
    } catch {}
  }
  return total;
}

interface Stats {
  requests: number;
  errors: string[];
  latencies: number[];
  uploaded: Map<string, number>;
  bytes: number;
}

const auth = (i: number) => ({
  authorization: `Basic ${Buffer.from(`user${i}:${password}`).toString('base64')}`,
});

async function timed(s: Stats, what: string, run: () => Promise<Response>, ok: number[]): Promise<Response> {
  const t0 = performance.now();
  let res: Response;
  try {
    res = await run();
  } catch (e) {
    s.requests++;
    s.errors.push(`${what}: ${(e as Error).cause ?? e}`);
    return new Response(null, { status: 599 });
  }
  s.latencies.push(performance.now() - t0);
  s.requests++;
  if (!ok.includes(res.status)) s.errors.push(`${what}: ${res.status}`);
  return res;
}

async function client(url: string, i: number, until: number): Promise<Stats> {
  const s: Stats = { requests: 0, errors: [], latencies: [], uploaded: new Map(), bytes: 0 };
  const base = new URL(`/user${i}/repo/`, url);
  const headers = auth(i);
  const v2 = { ...headers, accept: 'application/vnd.x.restic.rest.v2' };
  for (let n = 0; Date.now() < until; n++) {
    const body = randomBytes(1024 + Math.floor(Math.random() * 63 * 1024));
    const id = createHash('sha256').update(body).digest('hex');
    const res = await timed(
      s,
      'upload',
      () => fetch(new URL(`data/${id}`, base), { method: 'POST', headers, body }),
      [200],
    );
    await res.arrayBuffer();
    if (res.status === 200) {
      s.uploaded.set(id, body.length);
      s.bytes += body.length;
    }
    if (n % 5 === 4)
      await (
        await timed(s, 'list', () => fetch(new URL('data/', base), { headers: v2 }), [200])
      ).arrayBuffer();
  }
  return s;
}

async function verify(url: string, i: number, s: Stats): Promise<number> {
  const headers = { ...auth(i), accept: 'application/vnd.x.restic.rest.v2' };
  const base = new URL(`/user${i}/repo/`, url);
  const list = (await (await fetch(new URL('data/', base), { headers })).json()) as {
    name: string;
    size: number;
  }[];
  const listed = new Map(list.map((o) => [o.name, o.size]));
  let lost = 0;
  for (const [id, size] of s.uploaded) if (listed.get(id) !== size) lost++;
  const [sample] = s.uploaded.keys();
  if (sample) {
    const bytes = new Uint8Array(
      await (await fetch(new URL(`data/${sample}`, base), { headers })).arrayBuffer(),
    );
    if (createHash('sha256').update(bytes).digest('hex') !== sample) lost++;
  }
  return lost;
}

interface Row {
  setup: string;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  serverCpuMs: number;
  dbCpuMs: number;
  errors: string[];
  lost: number;
  usageOk: boolean;
}

async function run(setup: Setup, postgres: { url: string; pid: number } | undefined): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'kluis-load-'));
  const database =
    setup === 'sqlite'
      ? join(dir, 'accounts.db')
      : `${postgres!.url.replace(/\/postgres$/, '')}/${`bench_${Date.now()}`}`;
  if (setup !== 'sqlite') {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: postgres!.url });
    await c.connect();
    await c.query(`CREATE DATABASE ${database.split('/').pop()}`);
    await c.end();
  }
  const store = await openStore(database, Date.now);
  const hash = await hashPassword(password);
  for (let i = 0; i < clients; i++) {
    await store.accounts.add(`user${i}`, hash, { actor: 'bench', quotaBytes: 2 ** 30 });
    await store.grants.grant({ account: `user${i}`, role: 'backup', scope: `user${i}`, by: 'bench' });
  }
  const nodes: ServerProcess[] = [];
  try {
    for (let n = 0; n < SETUPS[setup]; n++) {
      const config = join(dir, `node${n}.json`);
      writeFileSync(
        config,
        JSON.stringify({
          port: 0,
          database,
          accessLog: join(dir, `access-${n}.log`),
          storage: { kind: 'local', root: join(dir, 'storage') },
          maintenance: { mode: 'off' },
          // Every client comes from 127.0.0.1: lift the per-address connection limit.
          limits: { connectionsPerAddress: 4096 },
        }),
      );
      nodes.push(await spawnServer(process.execPath, [bin, 'serve', '--config', config]));
    }
    const urlOf = (i: number) => nodes[i % nodes.length]!.url;
    // Each client logs in once first (one scrypt each), so the timed part measures steady state.
    await Promise.all(
      Array.from({ length: clients }, (_, i) =>
        fetch(new URL(`/user${i}/repo/?create=true`, urlOf(i)), { method: 'POST', headers: auth(i) }).then(
          (r) => r.arrayBuffer(),
        ),
      ),
    );
    const cpu0 = nodes.reduce((a, n) => a + cpuMs(n.child.pid!), 0);
    const db0 = postgres && setup !== 'sqlite' ? postgresCpuMs(postgres.pid) : 0;
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: clients }, (_, i) => client(urlOf(i), i, started + seconds * 1000)),
    );
    const elapsed = (Date.now() - started) / 1000;
    const serverCpu = nodes.reduce((a, n) => a + cpuMs(n.child.pid!), 0) - cpu0;
    const dbCpu = postgres && setup !== 'sqlite' ? postgresCpuMs(postgres.pid) - db0 : 0;
    const lost = (await Promise.all(results.map((s, i) => verify(urlOf(i), i, s)))).reduce(
      (a, b) => a + b,
      0,
    );
    const all = results.flatMap((s) => s.latencies).sort((a, b) => a - b);
    const pct = (p: number) => all[Math.min(all.length - 1, Math.floor((p / 100) * all.length))]!;
    const requests = results.reduce((a, s) => a + s.requests, 0);
    let usageOk = true;
    for (let i = 0; i < clients; i++) {
      const expected = [...results[i]!.uploaded.values()].reduce((a, b) => a + b, 0);
      if ((await store.ledger.usage(`user${i}`)).used !== expected) usageOk = false;
    }
    return {
      setup: `${setup === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${nodes.length} node${nodes.length > 1 ? 's' : ''}`,
      requests,
      perSecond: requests / elapsed,
      p50: pct(50),
      p99: pct(99),
      serverCpuMs: serverCpu / requests,
      dbCpuMs: dbCpu / requests,
      errors: results.flatMap((s) => s.errors),
      lost,
      usageOk,
    };
  } finally {
    for (const n of nodes) await n.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

let postgres: { url: string; pid: number; dir: string } | undefined;
if (picked.some((s) => s !== 'sqlite')) {
  const out = execFileSync('bash', [join(root, 'scripts', 'postgres', 'start-postgres.sh')], {
    encoding: 'utf8',
    env: { ...process.env, KLUIS_PG_OWNER_PID: String(process.pid) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const value = (k: string) => new RegExp(`^export ${k}=(.*)$`, 'm').exec(out)![1]!;
  const pgDir = value('KLUIS_PG_DIR');
  const pid = Number(readFileSync(join(pgDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  postgres = { url: value('KLUIS_PG_URL'), pid, dir: pgDir };
}
const rows: Row[] = [];
try {
  for (const setup of picked) rows.push(await run(setup, postgres));
} finally {
  if (postgres) execFileSync('bash', [join(root, 'scripts', 'postgres', 'stop-postgres.sh'), postgres.dir]);
}
console.log(`${clients} clients, ${seconds} s per setup, Node ${process.versions.node}`);
console.log(
  '| setup | requests/s | p50 ms | p99 ms | server CPU ms/request | PostgreSQL CPU ms/request | errors | lost | usage exact |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const r of rows) {
  console.log(
    `| ${r.setup} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.serverCpuMs.toFixed(2)} | ${r.setup.startsWith('SQLite') ? '-' : r.dbCpuMs.toFixed(2)} | ${r.errors.length} | ${r.lost} | ${r.usageOk} |`,
  );
  if (r.errors.length) console.log(`  errors: ${[...new Set(r.errors)].slice(0, 5).join(', ')}`);
}
process.exitCode = rows.some((r) => r.errors.length || r.lost || !r.usageOk) ? 1 : 0;
