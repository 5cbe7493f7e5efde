// Throughput of localTransport: 16 MiB pack-sized objects and 4 KiB objects, with and without
// fsync, on the directory given as the first argument (default: the OS temp directory).
// Run: npx tsx --conditions=@kluis/source packages/core/bench/local-transport.ts [dir]
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localTransport } from '../src/node/index';

const MiB = 1024 * 1024;

async function measure(label: string, fsync: boolean, size: number, count: number, parallel: number) {
  const root = await mkdtemp(join(process.argv[2] ?? tmpdir(), 'kluis-bench-'));
  const t = localTransport({ root, fsync });
  const body = new Uint8Array(randomBytes(size));
  const keys = Array.from({ length: count }, () => `data/${randomBytes(32).toString('hex')}`);
  const run = async (task: (key: string) => Promise<unknown>) => {
    const start = performance.now();
    for (let i = 0; i < keys.length; i += parallel) await Promise.all(keys.slice(i, i + parallel).map(task));
    return (performance.now() - start) / 1000;
  };
  const put = await run((k) => t.put(k, body));
  const get = await run((k) => t.get(k));
  const range = await run((k) =>
    t.get(k, { range: { offset: size >> 1, length: Math.min(size >> 1, 64 * 1024) } }),
  );
  await rm(root, { recursive: true, force: true });
  const mb = (size * count) / MiB;
  console.log(
    `${label.padEnd(28)} put ${(mb / put).toFixed(0).padStart(5)} MiB/s ${(count / put).toFixed(0).padStart(6)} ops/s | ` +
      `get ${(mb / get).toFixed(0).padStart(5)} MiB/s ${(count / get).toFixed(0).padStart(6)} ops/s | ` +
      `range ${(count / range).toFixed(0).padStart(6)} ops/s`,
  );
}

await measure('16 MiB, fsync, 1 at a time', true, 16 * MiB, 24, 1);
await measure('16 MiB, fsync, 4 parallel', true, 16 * MiB, 24, 4);
await measure('16 MiB, no fsync, 4 parallel', false, 16 * MiB, 24, 4);
await measure('4 KiB, fsync, 16 parallel', true, 4096, 2000, 16);
await measure('4 KiB, no fsync, 16 parallel', false, 4096, 2000, 16);
