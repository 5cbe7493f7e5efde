#!/usr/bin/env node
// npm run bench [-- cache|chunker|crypto|deflate|restic|retention|s3|server ...]: the benchmarks, never part of npm test.
// Each prints its own table; figures are only comparable within one run (see docs/benchmarks.md).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const all = {
  chunker: 'packages/core/bench/chunker.ts',
  crypto: 'packages/core/bench/crypto.ts',
  deflate: 'packages/core/bench/deflate.ts',
  s3: 'packages/transport-s3/bench/s3.ts',
  server: 'examples/server/bench/load.ts',
  restic: 'examples/client/bench/compare-restic.ts',
  s3local: 'examples/client/bench/s3-vs-local.ts',
  retention: 'examples/client/bench/retention-30d.ts',
  cache: 'examples/client/bench/cache.ts',
};
const picked = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['chunker', 'crypto', 'restic', 'retention'];
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
if (['restic', 's3local', 'retention', 'cache'].some((b) => picked.includes(b)))
  run('npm', ['run', 'build', '--silent']);
for (const name of picked) {
  const file = all[name];
  if (!file || !existsSync(file)) {
    console.error(`unknown or missing benchmark ${name} (choose from ${Object.keys(all).join(', ')})`);
    process.exit(2);
  }
  console.log(`\n## ${name}\n`);
  run(process.execPath, ['--conditions=@kluis/source', '--import', 'tsx', file]);
}
