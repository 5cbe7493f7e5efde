#!/usr/bin/env node
// npm run bench [-- browser-restore|bundle|cache|chunker|crypto|deflate|codecs|http|restic|retention|s3|scale|server ...]: the benchmarks, never part
// of npm test. Each runs under Node 24 (the current LTS, installed from the npm registry into
// .bench/node24 when missing) and under this Node, and prints its own table per runtime; figures
// are only comparable within one run (see docs/benchmarks.md). KLUIS_BENCH_NODE=24 or =current
// runs only one of them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureNode24 } from './node24.mjs';

const all = {
  chunker: 'packages/core/bench/chunker.ts',
  crypto: 'packages/core/bench/crypto.ts',
  deflate: 'packages/core/bench/deflate.ts',
  codecs: 'examples/client/bench/codecs.ts',
  s3: 'packages/transport-s3/bench/s3.ts',
  server: 'examples/server/bench/load.ts',
  restic: 'examples/client/bench/compare-restic.ts',
  http: 'examples/client/bench/http-restic.ts',
  s3local: 'examples/client/bench/s3-vs-local.ts',
  retention: 'examples/client/bench/retention-30d.ts',
  cache: 'examples/client/bench/cache.ts',
  bundle: 'packages/core/bench/bundle.ts',
  scale: 'examples/client/bench/scale.ts',
  'browser-restore': 'examples/server/bench/browser-restore.ts',
};
// Measured once: a bundle's size does not depend on the Node that builds it; the browser restore
// runs kluis-server in-process, whose SQLite module is built for the Node that installed the
// dependencies (and the page's figure does not depend on Node).
const once = new Set(['bundle', 'browser-restore']);
const picked = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['chunker', 'crypto', 'codecs', 'restic', 'retention'];
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
for (const name of picked) {
  if (!all[name] || !existsSync(all[name])) {
    console.error(`unknown or missing benchmark ${name} (choose from ${Object.keys(all).join(', ')})`);
    process.exit(2);
  }
}
// A benchmark that starts kluis-server as a child process runs it with this Node: the server's
// SQLite module is built for the Node that installed the dependencies.
process.env.KLUIS_BENCH_SERVER_NODE ??= process.execPath;
const which = process.env.KLUIS_BENCH_NODE;
const runtimes = [
  ...(which === 'current' || picked.every((n) => once.has(n)) ? [] : [ensureNode24()]),
  ...(which === '24' || process.versions.node.split('.')[0] === '24' ? [] : [process.execPath]),
];
if (
  ['restic', 'http', 's3local', 'retention', 'cache', 'scale', 'browser-restore'].some((b) =>
    picked.includes(b),
  )
)
  run('npm', ['run', 'build', '--silent']);
for (const name of picked) {
  for (const node of once.has(name) ? [process.execPath] : runtimes) {
    const version = spawnSync(node, ['--version']).stdout.toString().trim();
    console.log(`\n## ${name} (Node ${version})\n`);
    run(node, ['--conditions=@kluis/source', '--import', 'tsx', all[name]]);
  }
}
