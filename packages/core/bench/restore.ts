// Restore against storage with latency per request: how many requests a restore makes and how
// long it takes when each `get` costs LATENCY ms (as a remote object store would), on a tree of
// many small files in many directories. The target only counts bytes, so the figures are about
// reading and decoding, not about a file system.
//
// Run: npx tsx --conditions=@kluis/source packages/core/bench/restore.ts [dirs] [latency-ms]
import { performance } from 'node:perf_hooks';
import {
  type BackupSource,
  backup,
  initRepository,
  memoryTransport,
  openRepository,
  type RestoreTarget,
  restore,
  type SourceEntry,
  type Transport,
  withMetrics,
} from '@kluis/core';
import { nativeCrypto, nodeDeflateRaw } from '@kluis/core/node';

const dirs = Number(process.argv[2] ?? 500);
const latency = Number(process.argv[3] ?? 5);
const FILES = 3;

/** dirs directories of FILES files each (2–40 kB of seeded bytes), three per parent directory. */
const source: BackupSource = {
  paths: ['root'],
  roots: async () => [entry('root', 'dir', 0)],
  async list(path) {
    const n = path.length === 1 ? 0 : Number(path.at(-1)!.slice(1));
    const out: SourceEntry[] = [];
    for (let k = 1; k <= 3; k++) if (n * 3 + k < dirs) out.push(entry(`d${n * 3 + k}`, 'dir', 0));
    for (let f = 0; f < FILES; f++) out.push(entry(`f${f}`, 'file', size(n, f)));
    return out;
  },
  async *read(path) {
    const n = path.length === 2 ? 0 : Number(path.at(-2)!.slice(1));
    const b = new Uint8Array(size(n, Number(path.at(-1)!.slice(1))));
    for (let i = 0; i < b.length; i++) b[i] = (i * 31 + n * 7) & 0xff;
    yield b;
  },
};
const size = (dir: number, file: number) => 2000 + ((dir * 7919 + file * 104729) % 38000);
function entry(name: string, type: 'dir' | 'file', bytes: number): SourceEntry {
  return { name, type, mode: type === 'dir' ? 0o755 : 0o644, mtime: 1e12, ctime: 1, inode: 1, size: bytes };
}

function delayed(inner: Transport, ms: number): Transport {
  const wait = () => new Promise((r) => setTimeout(r, ms));
  return {
    ...inner,
    async get(key, o) {
      await wait();
      return inner.get(key, o);
    },
  };
}

const counting: RestoreTarget = {
  async dir() {},
  async symlink() {},
  async file(_path, _node, chunks) {
    for await (const _ of chunks);
  },
};

const store = memoryTransport();
const repo = await initRepository(store, {
  password: 'pw',
  scrypt: { N: 1024, r: 8, p: 1 },
  crypto: nativeCrypto,
  codec: nodeDeflateRaw,
});
await backup(repo, source);
const metered = withMetrics(delayed(store, latency));
const reader = await openRepository(metered.transport, {
  password: 'pw',
  crypto: nativeCrypto,
  codec: nodeDeflateRaw,
});
await reader.blobs.loadIndex();
metered.reset();
const t0 = performance.now();
const r = await restore(reader, 'latest', counting);
const seconds = (performance.now() - t0) / 1000;
console.log(
  `${r.files} files in ${r.dirs} directories, ${(r.bytes / 1e6).toFixed(1)} MB, ${latency} ms per get: ` +
    `${metered.metrics().ops.get.calls} gets, ${seconds.toFixed(2)} s (${(r.bytes / 1e6 / seconds).toFixed(1)} MB/s)`,
);
