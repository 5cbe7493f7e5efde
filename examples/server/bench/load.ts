/**
 * Load check of the reference server on loopback: N concurrent clients (default 50), each with its
 * own account, upload random objects and list their repository for a bounded time (default 20 s),
 * then every uploaded object is checked to be listed with its size and a sample is read back.
 * Prints requests/s, errors and lost objects.
 *
 *   npx tsx --conditions=@kluis/source examples/server/bench/load.ts [clients] [seconds]
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { listen } from '../src/listen.ts';
import { hashPassword } from '../src/password.ts';

const clients = Number(process.argv[2] ?? 50);
const seconds = Number(process.argv[3] ?? 20);
const dir = mkdtempSync(join(tmpdir(), 'kluis-load-'));
const config = parseConfig({ dataDir: dir, port: 0, maintenance: { mode: 'off' } }, dir);
const app = await createApp({ config, log: (l) => console.error(l) });
const server = await listen(app, config);

const password = 'load-test-password';
const hash = await hashPassword(password);
for (let i = 0; i < clients; i++) {
  await app.accounts.add(`user${i}`, hash, { actor: 'bench', quotaBytes: 2 ** 30 });
  await app.grants.grant({ account: `user${i}`, role: 'backup', scope: `user${i}`, by: 'bench' });
}

interface Stats {
  requests: number;
  errors: string[];
  latencies: number[];
  uploaded: Map<string, number>;
  bytes: number;
}

async function timed(s: Stats, what: string, run: () => Promise<Response>, ok: number[]): Promise<Response> {
  const t0 = performance.now();
  const res = await run();
  s.latencies.push(performance.now() - t0);
  s.requests++;
  if (!ok.includes(res.status)) s.errors.push(`${what}: ${res.status}`);
  return res;
}

async function client(i: number, until: number): Promise<Stats> {
  const s: Stats = { requests: 0, errors: [], latencies: [], uploaded: new Map(), bytes: 0 };
  const base = new URL(`/user${i}/repo/`, server.url);
  const headers = { authorization: `Basic ${Buffer.from(`user${i}:${password}`).toString('base64')}` };
  const v2 = { ...headers, accept: 'application/vnd.x.restic.rest.v2' };
  await timed(s, 'create', () => fetch(new URL('?create=true', base), { method: 'POST', headers }), [200]);
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

async function verify(i: number, s: Stats): Promise<number> {
  const headers = {
    authorization: `Basic ${Buffer.from(`user${i}:${password}`).toString('base64')}`,
    accept: 'application/vnd.x.restic.rest.v2',
  };
  const base = new URL(`/user${i}/repo/`, server.url);
  const listed = new Map(
    (
      (await (await fetch(new URL('data/', base), { headers })).json()) as { name: string; size: number }[]
    ).map((o) => [o.name, o.size]),
  );
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

// Each client logs in once first (one scrypt each), so the timed part measures steady state.
const warm = performance.now();
await Promise.all(
  Array.from({ length: clients }, (_, i) =>
    fetch(new URL(`/user${i}/repo/?create=true`, server.url), {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`user${i}:${password}`).toString('base64')}` },
    }).then((r) => r.arrayBuffer()),
  ),
);
console.log(
  `first logins of ${clients} clients (scrypt each): ${((performance.now() - warm) / 1000).toFixed(1)} s`,
);
const started = Date.now();
const results = await Promise.all(
  Array.from({ length: clients }, (_, i) => client(i, started + seconds * 1000)),
);
const elapsed = (Date.now() - started) / 1000;
const lost = (await Promise.all(results.map((s, i) => verify(i, s)))).reduce((a, b) => a + b, 0);
const all = results.flatMap((s) => s.latencies).sort((a, b) => a - b);
const pct = (p: number) => all[Math.min(all.length - 1, Math.floor((p / 100) * all.length))]!.toFixed(1);
const requests = results.reduce((a, s) => a + s.requests, 0);
const objects = results.reduce((a, s) => a + s.uploaded.size, 0);
const bytes = results.reduce((a, s) => a + s.bytes, 0);
const errors = results.flatMap((s) => s.errors);
let usageOk = true;
for (let i = 0; i < clients; i++) {
  const expected = [...results[i]!.uploaded.values()].reduce((a, b) => a + b, 0);
  if ((await app.ledger.usage(`user${i}`)).used !== expected) usageOk = false;
}
console.log(`clients ${clients}, ${elapsed.toFixed(1)} s`);
console.log(
  `requests ${requests} (${(requests / elapsed).toFixed(0)}/s), uploads ${objects} (${(bytes / elapsed / 2 ** 20).toFixed(1)} MiB/s)`,
);
console.log(`latency p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${all[all.length - 1]!.toFixed(1)} ms`);
console.log(
  `errors ${errors.length}${errors.length ? ` (${[...new Set(errors)].slice(0, 5).join(', ')})` : ''}, lost objects ${lost}, quota usage exact: ${usageOk}`,
);
await server.close();
await app.close();
rmSync(dir, { recursive: true, force: true });
process.exitCode = errors.length || lost || !usageOk ? 1 : 0;
