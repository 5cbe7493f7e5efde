// Raw transport throughput: put and get of 4 MiB objects, 1 and 4 in flight, against Ceph radosgw
// on 127.0.0.1 and against the local-disk transport in a temp directory.
// Run: npx tsx --conditions=@kluis/source packages/transport-s3/bench/s3.ts
// Uses the server KLUIS_S3_ENDPOINT names (with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), else
// starts one with scripts/s3/start-radosgw.sh and stops it at the end.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { Transport } from '@kluis/core';
import { localTransport } from '@kluis/core/node';
import { s3Transport } from '../src/index';

const MiB = 1024 * 1024;
const SIZE = 4 * MiB;
const COUNT = Number(process.env.BENCH_OBJECTS ?? 32);
const scripts = fileURLToPath(new URL('../../../scripts/s3/', import.meta.url));

function startServer(): { env: Record<string, string>; stop: () => void } {
  if (process.env.KLUIS_S3_ENDPOINT) return { env: process.env as Record<string, string>, stop: () => {} };
  const out = execFileSync('bash', [`${scripts}start-radosgw.sh`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const env = Object.fromEntries([...out.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  return {
    env,
    stop: () =>
      execFileSync('bash', [`${scripts}stop-radosgw.sh`, env.KLUIS_RGW_DIR ?? ''], { stdio: 'inherit' }),
  };
}

async function pool(count: number, inFlight: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

async function measure(label: string, transport: Transport, inFlight: number, bodies: Uint8Array[]) {
  const run = `run${inFlight}`;
  let t0 = performance.now();
  await pool(COUNT, inFlight, (i) =>
    transport.put(`data/${run}/${i}`, bodies[i % bodies.length] as Uint8Array),
  );
  const put = (COUNT * SIZE) / MiB / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  await pool(COUNT, inFlight, (i) => transport.get(`data/${run}/${i}`));
  const get = (COUNT * SIZE) / MiB / ((performance.now() - t0) / 1000);
  console.log(
    `${label.padEnd(10)} ${String(inFlight).padStart(9)} ${put.toFixed(0).padStart(10)} ${get.toFixed(0).padStart(10)}`,
  );
}

const server = startServer();
const dir = mkdtempSync(join(tmpdir(), 'kluis-bench-'));
const client = new S3Client({
  endpoint: server.env.KLUIS_S3_ENDPOINT ?? 'http://127.0.0.1:7480',
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: {
    accessKeyId: server.env.AWS_ACCESS_KEY_ID ?? '',
    secretAccessKey: server.env.AWS_SECRET_ACCESS_KEY ?? '',
  },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
try {
  const bucket = `kluis-bench-${Date.now().toString(36)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const bodies = Array.from({ length: 4 }, () => {
    const b = new Uint8Array(SIZE);
    for (let i = 0; i < SIZE; i += 65536) crypto.getRandomValues(b.subarray(i, i + 65536));
    return b;
  });
  console.log(`${COUNT} objects of 4 MiB; MiB/s (radosgw*: portable MD5 instead of node:crypto)`);
  console.log('transport  in flight        put        get');
  for (const inFlight of [1, 4]) {
    const md5 = (b: Uint8Array) => createHash('md5').update(b).digest();
    await measure('radosgw', s3Transport({ client, bucket, prefix: 'bench', md5 }), inFlight, bodies);
    await measure('radosgw*', s3Transport({ client, bucket, prefix: 'bench-noble' }), inFlight, bodies);
    await measure('local', localTransport({ root: dir }), inFlight, bodies);
  }
} finally {
  client.destroy();
  rmSync(dir, { recursive: true, force: true });
  server.stop();
}
