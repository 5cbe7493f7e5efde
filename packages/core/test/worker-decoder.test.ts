import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { inlineBlobDecoder, type SealedRun } from '../src/format/index';
import {
  backup,
  check,
  initRepository,
  KluisError,
  memoryTransport,
  openRepository,
  restore,
  type Transport,
} from '../src/index';
import { inlineUntilRunning, WorkerPool } from '../src/node/_worker-pool';
import { fsTarget, localTransport, nativeCrypto, nodeDeflateRaw, workerBlobDecoder } from '../src/node/index';
import { ReadBuffers } from '../src/repo/store/read-buffers';
import { type MemTree, memSource, memTarget, prng } from './helpers/trees';

const SCRYPT = { N: 1024, r: 8, p: 1 };
const text = (s: string) => new TextEncoder().encode(s);
const tree: MemTree = {
  d: { 'random.bin': prng(300_000, 4), 'text.txt': text('compressible line\n'.repeat(20_000)) },
  e: { 'more.bin': prng(200_000, 5) },
};
const node = { crypto: nativeCrypto, codec: nodeDeflateRaw };

async function fixture() {
  const t = memoryTransport();
  const repo = await initRepository(t, { password: 'pw', scrypt: SCRYPT, packSize: 1 << 16, ...node });
  const { id } = await backup(repo, memSource(tree));
  return { t, id };
}

/** A whole pack and its blobs, as `check` hands them to a decoder (with `most`, the pack holding the most blobs). */
async function packRun(t: ReturnType<typeof memoryTransport>, most = false): Promise<SealedRun> {
  const repo = await openRepository(t, { password: 'pw', ...node });
  await repo.blobs.loadIndex();
  const count = new Map<string, number>();
  for (const l of repo.blobs.index.entries()) {
    const k = `data/${Buffer.from(l.pack).toString('hex')}`;
    count.set(k, (count.get(k) ?? 0) + 1);
  }
  let key = '';
  for await (const o of t.list('data/'))
    if (!key || (most && (count.get(o.key) ?? 0) > (count.get(key) ?? 0))) key = o.key;
  const bytes = await t.get(key);
  const blobs = [...repo.blobs.index.entries()]
    .filter((l) => `data/${Buffer.from(l.pack).toString('hex')}` === key)
    .sort((a, b) => a.offset - b.offset);
  return { bytes, blobs, where: key, sha256: key.slice(5) };
}

/** The repository opened twice: with the inline decoder, and with one worker thread. */
async function bothDecoders(t: ReturnType<typeof memoryTransport>) {
  return [
    await openRepository(t, { password: 'pw', ...node, decoder: inlineBlobDecoder }),
    await openRepository(t, {
      password: 'pw',
      ...node,
      decoder: workerBlobDecoder({ threads: 1, inlineBytes: 0 }),
    }),
  ] as const;
}

/**
 * A new repository (300 kB packs) in a local transport at `root`, opened through a wrapper that
 * counts the reads given an `into` buffer and those whose result is in it.
 */
async function countingRepo(root: string) {
  const local = localTransport({ root, fsync: false });
  const reads = { into: 0, used: 0 };
  const counted: Transport = {
    ...local,
    async get(key, o) {
      const bytes = await local.get(key, o);
      if (o?.into) reads.into++;
      if (o?.into && bytes.buffer === o.into.buffer) reads.used++;
      return bytes;
    },
  };
  const init = await initRepository(counted, { password: 'pw', scrypt: SCRYPT, packSize: 300_000, ...node });
  return { local, counted, reads, init };
}

describe('workerBlobDecoder', () => {
  it('opens a pack on a worker thread exactly as the inline decoder does, moving owned bytes', {
    timeout: 60_000,
  }, async () => {
    const { t } = await fixture();
    const run = await packRun(t);
    const repo = await openRepository(t, { password: 'pw', ...node });
    const inline = await repo.blobs.options.decoder.open({ ...run, bytes: run.bytes.slice() });
    const worker = workerBlobDecoder({ threads: 1, inlineBytes: 0 });
    const viaWorker = await openRepository(t, { password: 'pw', ...node, decoder: worker });
    const copy = run.bytes.slice();
    const moved = await viaWorker.blobs.options.decoder.open({ ...run, bytes: copy }, true);
    expect(copy.length).toBe(0); // owned: moved to the worker
    expect(moved).toEqual(inline);
    expect(moved.length).toBe(run.blobs.length);
    await viaWorker.close();
  });

  it('opens the first inlineBytes on the calling thread, then hands runs to the threads once they run', {
    timeout: 60_000,
  }, async () => {
    const { t } = await fixture();
    const run = await packRun(t);
    const viaHybrid = await openRepository(t, {
      password: 'pw',
      ...node,
      decoder: workerBlobDecoder({ threads: 1, inlineBytes: run.bytes.length + 1 }),
    });
    const decoder = viaHybrid.blobs.options.decoder;
    // An owned run opened here keeps its buffer; one moved to a thread leaves it detached.
    const verifyOwned = async () => {
      const bytes = run.bytes.slice();
      const back = await decoder.verify({ ...run, bytes }, true);
      expect(Buffer.from(back!).equals(Buffer.from(run.bytes))).toBe(true);
      return bytes.buffer.byteLength > 0 ? 'here' : 'thread';
    };
    expect(await verifyOwned()).toBe('here');
    // Crossing the limit starts the thread; this run is still opened here.
    expect(await verifyOwned()).toBe('here');
    // Damage is found here as on a thread.
    const damaged = run.bytes.slice();
    damaged[run.blobs[0]!.offset + 30]! ^= 1;
    const err = await decoder.verify({ ...run, bytes: damaged }).catch((e: unknown) => e);
    expect(KluisError.is(err, 'INTEGRITY')).toBe(true);
    let where = 'here';
    for (let i = 0; i < 200 && where === 'here'; i++) {
      where = await verifyOwned();
      if (where === 'here') await new Promise((r) => setTimeout(r, 25));
    }
    expect(where).toBe('thread');
    await viaHybrid.close();
  });

  it('a thread that fails to start rejects start(), and work sent to the pool then fails with INTERNAL', {
    timeout: 60_000,
  }, async () => {
    // No workerData: the thread script throws while it loads.
    const pool = new WorkerPool(1, '_decoder-worker', null);
    const inline = inlineUntilRunning(pool, 1);
    expect(inline(10)).toBe(true); // crosses the limit: the thread starts; this job stays here
    expect(
      await pool.start().then(
        () => 'started',
        () => 'failed',
      ),
    ).toBe('failed');
    // Once the start has settled, even in failure, work goes to the threads and reports it.
    let here = true;
    for (let i = 0; i < 200 && here; i++) {
      here = inline(10);
      if (here) await new Promise((r) => setTimeout(r, 25));
    }
    expect(here).toBe(false);
    const err = await pool.run({ run: {}, plains: false, back: false }, []).catch((e: unknown) => e);
    expect(KluisError.is(err, 'INTERNAL')).toBe(true);
    await pool.close();
  });

  it('verify hands an owned buffer back, all of it, on both paths; one not owned is copied and stays', {
    timeout: 60_000,
  }, async () => {
    const { t } = await fixture();
    const run = await packRun(t);
    const [inline, viaWorker] = await bothDecoders(t);
    for (const repo of [inline, viaWorker]) {
      const decoder = repo.blobs.options.decoder;
      // A recycled read buffer: the pack in its first bytes, more room after them.
      const buffer = new Uint8Array(run.bytes.length + 4096).fill(7);
      buffer.set(run.bytes);
      const bytes = buffer.subarray(0, run.bytes.length);
      const back = await decoder.verify({ ...run, bytes }, true);
      expect(back).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(back!).equals(Buffer.from(run.bytes))).toBe(true);
      expect((back as Uint8Array).buffer.byteLength).toBe(run.bytes.length + 4096);
      // Not owned: nothing comes back, and the caller's bytes stay where they are.
      const kept = run.bytes.slice();
      expect(await decoder.verify({ ...run, bytes: kept })).toBeUndefined();
      expect(kept.length).toBe(run.bytes.length);
    }
    // Not owned, a view of a larger buffer is copied to the thread, never moved.
    const big = new Uint8Array(run.bytes.length + 10);
    big.set(run.bytes);
    await viaWorker.blobs.options.decoder.verify({ ...run, bytes: big.subarray(0, run.bytes.length) });
    expect(big.length).toBe(run.bytes.length + 10);
    await viaWorker.close();
  });

  it('rejects a flipped byte or a wrong pack name with INTEGRITY, on both paths', {
    timeout: 60_000,
  }, async () => {
    const { t } = await fixture();
    const run = await packRun(t);
    const [inline, viaWorker] = await bothDecoders(t);
    for (const repo of [inline, viaWorker]) {
      const flipped = run.bytes.slice();
      flipped[run.blobs[0]!.offset + 30]! ^= 1;
      // No pack name: the flipped byte must be caught by the blob's own authentication.
      const e1 = await repo.blobs.options.decoder
        .open({ bytes: flipped, blobs: run.blobs, where: run.where })
        .catch((e) => e);
      expect(KluisError.is(e1, 'INTEGRITY')).toBe(true);
      const e2 = await repo.blobs.options.decoder.open({ ...run, sha256: '00'.repeat(32) }).catch((e) => e);
      expect(KluisError.is(e2, 'INTEGRITY')).toBe(true);
      // verify checks every blob too, the last one included, and a wrong pack name.
      const last = run.bytes.slice();
      last[run.blobs.at(-1)!.offset + 30]! ^= 1;
      for (const bytes of [flipped, last]) {
        const e3 = await repo.blobs.options.decoder
          .verify({ bytes, blobs: run.blobs, where: run.where })
          .catch((e) => e);
        expect(KluisError.is(e3, 'INTEGRITY')).toBe(true);
      }
      const e4 = await repo.blobs.options.decoder.verify({ ...run, sha256: '00'.repeat(32) }).catch((e) => e);
      expect(KluisError.is(e4, 'INTEGRITY')).toBe(true);
      expect(await repo.blobs.options.decoder.verify({ ...run, bytes: run.bytes.slice() })).toBeUndefined();
    }
    await viaWorker.close();
  });

  it('check --read-data on worker threads passes a healthy repository and names damaged files', {
    timeout: 60_000,
  }, async () => {
    const { t, id } = await fixture();
    const decoder = workerBlobDecoder({ threads: 2, inlineBytes: 0 });
    const healthy = await openRepository(t, { password: 'pw', ...node, decoder });
    expect((await check(healthy, { readData: true })).ok).toBe(true);
    await healthy.close();
    for await (const o of t.list('data/')) {
      const b = await t.get(o.key);
      b[50] = b[50]! ^ 1;
      await t.put(o.key, b);
    }
    const damaged = await openRepository(t, { password: 'pw', ...node, decoder });
    const report = await check(damaged, { readData: true });
    await damaged.close();
    expect(report.ok).toBe(false);
    expect(report.problems.some((p) => p.kind === 'pack')).toBe(true);
    expect(report.affected.length).toBeGreaterThan(0);
    expect(report.affected.every((a) => a.snapshot === id)).toBe(true);
  });

  it('check --read-data reads packs into recycled buffers and still finds every damaged pack', {
    timeout: 60_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kluis-check-buffers-'));
    try {
      const { local, counted, reads, init } = await countingRepo(dir);
      await backup(init, memSource({ a: prng(1_500_000, 6), b: prng(1_200_000, 7) }));
      const decoder = workerBlobDecoder({ threads: 2, inlineBytes: 0 });
      const healthy = await openRepository(counted, { password: 'pw', ...node, decoder });
      const ok = await check(healthy, { readData: true });
      await healthy.close();
      expect(ok.ok).toBe(true);
      expect(reads.used).toBeGreaterThan(3); // the packs were read into pooled buffers
      expect(reads.used).toBe(reads.into);
      const packs: string[] = [];
      for await (const o of local.list('data/')) packs.push(o.key);
      expect(packs.length).toBeGreaterThan(4);
      // Damage every other pack, at its end (what a reused buffer would still hold from before).
      const damaged = packs.filter((_, i) => i % 2 === 1);
      for (const key of damaged) {
        const b = await local.get(key);
        b[b.length - 100] = b[b.length - 100]! ^ 1;
        await local.put(key, b);
      }
      const again = await openRepository(counted, { password: 'pw', ...node, decoder });
      const report = await check(again, { readData: true });
      await again.close();
      expect(
        report.problems
          .filter((p) => p.kind === 'pack')
          .map((p) => p.object)
          .sort(),
      ).toEqual(damaged.sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a restore to fsTarget reads runs into buffers the threads hand back, and writes every byte', {
    timeout: 60_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kluis-restore-buffers-'));
    // Sizes as handed back (a buffer given back is moved to a thread again by a later read).
    const back: number[] = [];
    const give = ReadBuffers.prototype.give;
    const given = vi.spyOn(ReadBuffers.prototype, 'give').mockImplementation(function (this: ReadBuffers, b) {
      if (b instanceof Uint8Array && b.buffer.byteLength >= 128 << 10) back.push(b.buffer.byteLength);
      give.call(this, b);
    });
    try {
      const { counted, reads, init } = await countingRepo(join(dir, 'repo'));
      // A file streamed run by run, and groups of files read with one request each.
      const files: MemTree = { big: prng(2_500_000, 11), d: {} };
      for (let i = 0; i < 12; i++) (files.d as MemTree)[`f${i}.bin`] = prng(150_000, 20 + i);
      await backup(init, memSource(files));
      const repo = await openRepository(counted, {
        password: 'pw',
        ...node,
        decoder: workerBlobDecoder({ threads: 2, inlineBytes: 0 }),
      });
      const target = join(dir, 'out');
      const r = await restore(repo, 'latest', fsTarget(target));
      await repo.close();
      expect(r.files).toBe(13);
      expect((await readFile(join(target, 'big'))).equals(files.big as Uint8Array)).toBe(true);
      for (let i = 0; i < 12; i++)
        expect(
          (await readFile(join(target, 'd', `f${i}.bin`))).equals(
            (files.d as MemTree)[`f${i}.bin`] as Uint8Array,
          ),
        ).toBe(true);
      expect(reads.used).toBeGreaterThan(5); // runs were read into pooled buffers
      expect(reads.used).toBe(reads.into);
      // Each came back from the threads, whole, to be read into again.
      expect(back).toHaveLength(reads.used);
      for (const size of back) expect(size % (1 << 20)).toBe(0);
    } finally {
      given.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a restore whose target has no nativeFile reads runs into the same recycled buffers and gets them back', {
    timeout: 60_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kluis-restore-open-'));
    const back: ArrayBuffer[] = [];
    const give = ReadBuffers.prototype.give;
    const given = vi.spyOn(ReadBuffers.prototype, 'give').mockImplementation(function (this: ReadBuffers, b) {
      if (b instanceof Uint8Array && b.buffer.byteLength >= 128 << 10) back.push(b.buffer as ArrayBuffer);
      give.call(this, b);
    });
    try {
      const { counted, reads, init } = await countingRepo(join(dir, 'repo'));
      const files: MemTree = { big: prng(2_500_000, 41), d: {} };
      for (let i = 0; i < 12; i++) (files.d as MemTree)[`f${i}.bin`] = prng(150_000, 50 + i);
      await backup(init, memSource(files));
      // The inline decoder opens on this thread; the plaintexts go to the target's `file`.
      const repo = await openRepository(counted, { password: 'pw', ...node, decoder: inlineBlobDecoder });
      const { target, root } = memTarget();
      const r = await restore(repo, 'latest', target);
      expect(r.files).toBe(13);
      expect(Buffer.from(root.big as Uint8Array).equals(files.big as Uint8Array)).toBe(true);
      for (let i = 0; i < 12; i++)
        expect(
          Buffer.from((root.d as MemTree)[`f${i}.bin`] as Uint8Array).equals(
            (files.d as MemTree)[`f${i}.bin`] as Uint8Array,
          ),
        ).toBe(true);
      // Streamed runs and groups of files alike were read into pooled buffers, each given back
      // once opened, and reused by later reads.
      expect(reads.used).toBeGreaterThan(5);
      expect(back.length).toBeGreaterThanOrEqual(reads.used);
      expect(new Set(back).size).toBeLessThan(back.length);
    } finally {
      given.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Below `inlineBytes` the calling thread does the same as a thread does (the same code).
  for (const [where, inlineBytes] of [
    ['a thread', 0],
    ['the calling thread', 1 << 30],
  ] as const)
    it(`writeFiles writes each file once its own blobs are intact; a damaged blob stops the run at its file (on ${where})`, {
      timeout: 60_000,
    }, async () => {
      const { t } = await fixture();
      const run = await packRun(t, true);
      expect(run.blobs.length).toBeGreaterThanOrEqual(3);
      const repo = await openRepository(t, { password: 'pw', ...node });
      const plains = await repo.blobs.options.decoder.open({ ...run, bytes: run.bytes.slice() });
      const viaWorker = await openRepository(t, {
        password: 'pw',
        ...node,
        decoder: workerBlobDecoder({ threads: 1, inlineBytes }),
      });
      const decoder = viaWorker.blobs.options.decoder;
      const dir = await mkdtemp(join(tmpdir(), 'kluis-writefiles-'));
      const file = (name: string, blobs: number[]) => ({
        file: { path: join(dir, name), mode: 0o600, mtime: 1_700_000_000_000, sparse: false },
        blobs,
      });
      const joined = (idx: number[]) => Buffer.concat(idx.map((i) => plains[i]!));
      try {
        // Blob 1 is shared by the first two files; each file gets exactly its blobs.
        const { sha256: _, ...range } = run; // a range of the pack: no whole-object hash
        const files = [file('a', [0, 1]), file('b', [1, 2]), file('c', [2])];
        await decoder.writeFiles!({ ...range, bytes: run.bytes.slice() }, files);
        expect((await readFile(join(dir, 'a'))).equals(joined([0, 1]))).toBe(true);
        expect((await readFile(join(dir, 'b'))).equals(joined([1, 2]))).toBe(true);
        expect((await readFile(join(dir, 'c'))).equals(joined([2]))).toBe(true);
        // Damage blob 2: the file before it is written whole, the ones needing it are not written.
        const damaged = run.bytes.slice();
        damaged[run.blobs[2]!.offset + 30]! ^= 1;
        const later = [file('x', [0, 1]), file('y', [1, 2]), file('z', [0])];
        const err = await decoder.writeFiles!({ ...range, bytes: damaged }, later).catch((e: unknown) => e);
        expect(KluisError.is(err, 'INTEGRITY')).toBe(true);
        expect((await readFile(join(dir, 'x'))).equals(joined([0, 1]))).toBe(true);
        expect(await readdir(dir)).toEqual(['a', 'b', 'c', 'x']);
      } finally {
        await viaWorker.close();
        await rm(dir, { recursive: true, force: true });
      }
    });

  describe('restoring to fsTarget, the threads write the files', () => {
    // With 64 KiB packs, a 3 MB file's blobs lie in dozens of packs: the restore streams it run by
    // run, and the threads write it piece by piece.
    const big = prng(3_000_000, 7);
    const zeros = new Uint8Array(256 << 10); // all-zero chunks become holes
    const sparseTail = new Uint8Array(600_000);
    sparseTail.set(prng(1000, 8), 0); // data, then a hole to the end
    const files: MemTree = {
      d: { 'big.bin': big, 'zeros.bin': zeros, 'tail.bin': sparseTail, 'empty.txt': new Uint8Array(0) },
      'small.txt': text('hello\n'),
    };

    async function repoWith(decoder: ReturnType<typeof workerBlobDecoder>) {
      const t = memoryTransport();
      const writer = await initRepository(t, { password: 'pw', scrypt: SCRYPT, packSize: 1 << 16, ...node });
      await backup(writer, memSource(files));
      return openRepository(t, { password: 'pw', ...node, decoder });
    }

    it('writes every file, in pieces where it spans several runs, with holes, modes and mtimes', {
      timeout: 60_000,
    }, async () => {
      const repo = await repoWith(workerBlobDecoder({ threads: 2, inlineBytes: 0 }));
      expect(repo.blobs.options.decoder.writeFiles).toBeDefined();
      const dir = await mkdtemp(join(tmpdir(), 'kluis-native-'));
      try {
        const r = await restore(repo, 'latest', fsTarget(dir), { verify: true });
        expect(r.files).toBe(5);
        expect(r.verified).toBe(5);
        const root = dir;
        // Buffer.equals: a deep toEqual over megabytes takes seconds.
        expect((await readFile(join(root, 'd', 'big.bin'))).equals(big)).toBe(true);
        expect((await readFile(join(root, 'd', 'zeros.bin'))).equals(zeros)).toBe(true);
        expect((await readFile(join(root, 'd', 'tail.bin'))).equals(sparseTail)).toBe(true);
        expect((await stat(join(root, 'd', 'empty.txt'))).size).toBe(0);
        expect(await readFile(join(root, 'small.txt'), 'utf8')).toBe('hello\n');
        const zs = await stat(join(root, 'd', 'zeros.bin'));
        expect(zs.blocks * 512).toBeLessThan(zeros.length); // a hole, not written zeros
        for (const f of ['d/big.bin', 'd/tail.bin', 'small.txt']) {
          const st = await stat(join(root, f));
          expect(st.mode & 0o777).toBe(0o644);
          expect(Math.abs(st.mtimeMs - 1_700_000_000_000)).toBeLessThan(1000);
        }
      } finally {
        await repo.close();
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('refuses a symlink planted where a file goes, and writes nothing through it', {
      timeout: 60_000,
    }, async () => {
      const repo = await repoWith(workerBlobDecoder({ threads: 1, inlineBytes: 0 }));
      const dir = await mkdtemp(join(tmpdir(), 'kluis-native-'));
      try {
        const outside = join(dir, 'outside');
        await mkdir(outside);
        await mkdir(join(dir, 'out'), { recursive: true });
        await symlink(join(outside, 'victim'), join(dir, 'out', 'small.txt'));
        const err = await restore(repo, 'latest', fsTarget(join(dir, 'out'))).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(Error);
        expect(String((err as Error).message)).toMatch(/ELOOP|symbolic link/);
        expect(await readdir(outside)).toEqual([]);
        expect((await lstat(join(dir, 'out', 'small.txt'))).isSymbolicLink()).toBe(true);
      } finally {
        await repo.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
