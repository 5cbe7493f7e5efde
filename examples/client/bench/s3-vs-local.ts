// kluis backup and restore throughput to a local radosgw (s3:) against the local-disk transport,
// on the same seeded tree: npm run bench -- s3local. Starts radosgw with scripts/s3/start-radosgw.sh.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mixedTree } from './corpus';

const root = resolve(import.meta.dirname, '..', '..', '..');
const cache = process.env.KLUIS_BENCH_DIR ?? join(tmpdir(), 'kluis-bench');
const work = join(cache, 'work-s3');
const cli = join(root, 'examples', 'client', 'dist', 'cli.js');

function start(): Record<string, string> {
  const out = execFileSync('bash', [join(root, 'scripts', 's3', 'start-radosgw.sh')], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const vars: Record<string, string> = {};
  for (const m of out.matchAll(/^export ([A-Z0-9_]+)=(.*)$/gm)) vars[m[1]!] = m[2]!;
  return vars;
}

function timed(repo: string, env: Record<string, string>, ...args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, [cli, '--repo', repo, ...args], {
    env: { ...process.env, ...env, KLUIS_PASSWORD: 'bench' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`kluis ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return (performance.now() - t) / 1000;
}

const mb = Number(process.env.KLUIS_BENCH_S3_MB ?? 200);
const tree = join(cache, `mixed-${mb}`);
const bytes = await mixedTree(tree, mb);
const rgw = start();
try {
  const s3 = new S3Client({
    endpoint: rgw.KLUIS_S3_ENDPOINT!,
    region: rgw.AWS_REGION!,
    forcePathStyle: true,
    credentials: { accessKeyId: rgw.AWS_ACCESS_KEY_ID!, secretAccessKey: rgw.AWS_SECRET_ACCESS_KEY! },
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
  const rows: string[] = ['| repository | backup MB/s | restore MB/s |', '| --- | --- | --- |'];
  for (const [name, repo] of [
    ['local disk', join(work, 'repo')],
    ['radosgw (s3:)', `s3:${rgw.KLUIS_S3_ENDPOINT}/bench/repo`],
  ] as const) {
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    timed(repo, rgw, 'init', '--scrypt-n', '16384');
    const b = timed(repo, rgw, 'backup', tree);
    const r = timed(repo, rgw, 'restore', 'latest', '--target', join(work, 'out'));
    rows.push(`| ${name} | ${(bytes / 1e6 / b).toFixed(0)} | ${(bytes / 1e6 / r).toFixed(0)} |`);
  }
  console.log(
    `Mixed tree ${(bytes / 1e6).toFixed(0)} MB, kluis CLI, radosgw and client on the same machine.\n`,
  );
  console.log(rows.join('\n'));
} finally {
  execFileSync('bash', [join(root, 'scripts', 's3', 'stop-radosgw.sh'), rgw.KLUIS_RGW_DIR!]);
}
