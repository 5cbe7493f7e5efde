// The local cache, measured: an unchanged re-backup, `snapshots` and `ls` with and without it, on a
// local repository and over HTTP to the reference server (started here, on 127.0.0.1), in
// interleaved pairs. Needs the built CLI (npm run build).
// Usage: node --import tsx examples/client/bench/cache.ts [rounds=5] [corpus MB=100]
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
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
  const repos = { local: join(work, 'repo'), http: new URL('/bench/repo/', server.url).toString() };
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
        for (let i = 0; i < rounds; i++) {
          // Interleaved, alternating which goes first.
          if (i % 2 === 0) {
            on.push(await r(...args));
            off.push(await r(...args, '--no-cache'));
          } else {
            off.push(await r(...args, '--no-cache'));
            on.push(await r(...args));
          }
        }
        const [a, b] = [median(on), median(off)];
        results.push(
          `| ${kind} | ${name} | ${b.toFixed(2)} s | ${a.toFixed(2)} s | ${(a / b).toFixed(2)}× |`,
        );
      }
    }
  } finally {
    await server.close();
  }
  process.stdout.write(
    `Corpus ${(bytes / 1e6).toFixed(0)} MB, ${rounds} interleaved pairs, medians; ` +
      `${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}\n\n` +
      '| repository | command | --no-cache | cache | ratio |\n|---|---|---:|---:|---:|\n' +
      `${results.join('\n')}\n`,
  );
}

await main();
