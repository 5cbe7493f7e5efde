// The local cache, measured: an unchanged re-backup, `snapshots` and `ls` with and without it, on a
// local repository and over HTTP to the reference server (started here, on 127.0.0.1), in
// interleaved pairs. Needs the built CLI (npm run build).
// A third case reaches the same server through a proxy that delays every byte by RTT/2 each way
// (KLUIS_BENCH_RTT_MS, default 20), as a server across a network would.
// Usage: node --conditions=@kluis/source --import tsx examples/client/bench/cache.ts [rounds=5] [corpus MB=100]
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createApp } from '../../server/src/app.ts';
import { parseConfig } from '../../server/src/config.ts';
import { listen } from '../../server/src/listen.ts';
import { hashPassword } from '../../server/src/password.ts';
import { mixedTree } from './corpus';

const rounds = Number(process.argv[2] ?? 5);
const mb = Number(process.argv[3] ?? 100);
const root = resolve(import.meta.dirname, '..', '..', '..');
const cli = join(root, 'examples', 'client', 'dist', 'cli.js');
const base = process.env.KLUIS_BENCH_DIR ?? join(tmpdir(), 'kluis-cache-bench');
const work = join(base, 'work');
const env = {
  ...process.env,
  KLUIS_PASSWORD: 'bench',
  KLUIS_HTTP_USER: 'bench',
  KLUIS_HTTP_PASSWORD: 'bench-password',
  KLUIS_CACHE_DIR: join(work, 'cache'),
};

/** Wall seconds of one CLI run (the CLI is a child process; the server answers in this one). */
async function timed(args: string[]): Promise<number> {
  const out = join(work, 'time.txt');
  await promisify(execFile)('/usr/bin/time', ['-o', out, '-f', '%e', process.execPath, cli, ...args], {
    env,
    maxBuffer: 1 << 28,
  });
  return Number(readFileSync(out, 'utf8').trim().split('\n').at(-1));
}

/** Requests sent and bytes received through the proxies since the last reset. */
const traffic = { requests: 0, bytesDown: 0 };
const REQUEST = /^(GET|HEAD|POST|DELETE) \//;

/**
 * A TCP proxy to `target` that delays each direction by `oneWayMs` (order kept: equal delays fire
 * in order) and counts requests (request lines at the start of a chunk) and response bytes.
 */
async function delayingProxy(target: URL, oneWayMs: number): Promise<{ url: string; close(): void }> {
  const relay = (from: Socket, to: Socket, up: boolean) => {
    from.on('data', (chunk: Buffer) => {
      if (up && REQUEST.test(chunk.toString('latin1', 0, 8))) traffic.requests++;
      if (!up) traffic.bytesDown += chunk.length;
      if (oneWayMs > 0) setTimeout(() => to.write(chunk), oneWayMs);
      else to.write(chunk);
    });
    from.on('end', () => setTimeout(() => to.end(), oneWayMs));
    from.on('error', () => to.destroy());
  };
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    relay(client, upstream, true);
    relay(upstream, client, false);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const tree = join(base, 'tree');
  const bytes = await mixedTree(tree, mb);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const config = parseConfig({ dataDir: join(work, 'server'), port: 0, maintenance: { mode: 'off' } }, work);
  const app = await createApp({ config, log: () => {} });
  const server = await listen(app, config);
  app.accounts.add('bench', await hashPassword('bench-password'), { actor: 'bench', quotaBytes: 2 ** 40 });
  app.grants.grant({ account: 'bench', role: 'admin', scope: 'bench', by: 'bench' });
  const rtt = Number(process.env.KLUIS_BENCH_RTT_MS ?? 20);
  const proxy = await delayingProxy(new URL(server.url), rtt / 2);
  const near = await delayingProxy(new URL(server.url), 0);
  const repos = {
    local: join(work, 'repo'),
    'http (loopback)': new URL('/bench/repo/', near.url).toString(),
    [`http (+${rtt} ms RTT)`]: new URL('/bench/far/', proxy.url).toString(),
  };
  const results: string[] = [];
  try {
    for (const [kind, repo] of Object.entries(repos)) {
      const r = (...a: string[]) => timed(['--repo', repo, ...a]);
      await r('init', '--scrypt-n', '16384');
      await r('backup', tree, '--host', 'bench', '--no-cache');
      await r('backup', tree, '--host', 'bench'); // fills the cache
      const ops: [string, string[]][] = [
        ['unchanged re-backup', ['backup', tree, '--host', 'bench']],
        ['snapshots', ['snapshots']],
        ['ls latest', ['ls', 'latest']],
      ];
      for (const [name, args] of ops) {
        const on: number[] = [];
        const off: number[] = [];
        const seen = { on: { ...traffic }, off: { ...traffic } };
        const measure = async (cache: boolean) => {
          Object.assign(traffic, { requests: 0, bytesDown: 0 });
          (cache ? on : off).push(await r(...args, ...(cache ? [] : ['--no-cache'])));
          seen[cache ? 'on' : 'off'] = { ...traffic };
        };
        for (let i = 0; i < rounds; i++) {
          // Interleaved, alternating which goes first.
          await measure(i % 2 === 0);
          await measure(i % 2 !== 0);
        }
        const [a, b] = [median(on), median(off)];
        const http = kind.startsWith('http');
        const t = (x: typeof traffic) =>
          http ? `${x.requests} / ${(x.bytesDown / 1e6).toFixed(2)} MB` : '–';
        results.push(
          `| ${kind} | ${name} | ${b.toFixed(2)} s | ${a.toFixed(2)} s | ${(a / b).toFixed(2)}× | ${t(seen.off)} | ${t(seen.on)} |`,
        );
      }
    }
  } finally {
    proxy.close();
    near.close();
    await server.close();
  }
  process.stdout.write(
    `Corpus ${(bytes / 1e6).toFixed(0)} MB, ${rounds} interleaved pairs, medians; ` +
      `${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}\n\n` +
      '| repository | command | --no-cache | cache | ratio | requests / received, --no-cache | with cache |\n' +
      '|---|---|---:|---:|---:|---:|---:|\n' +
      `${results.join('\n')}\n`,
  );
}

await main();
