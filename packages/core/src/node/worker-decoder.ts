import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { type ErrorCode, KluisError } from '../errors';
import type { BlobDecoder, BlobDecoderFactory, SealedRun } from '../repo/blob-decoder';
import { spawnWorker } from './_spawn-worker';

/** Options of {@link workerBlobDecoder}. */
export interface WorkerBlobDecoderOptions {
  /** Worker threads; default the machine's available parallelism. */
  threads?: number;
}

type Reply = { n: number; plains: Uint8Array[] } | { n: number; error: { code: ErrorCode; message: string } };

/**
 * Opens sealed blobs on worker threads (node:crypto and node:zlib), so verifying or reading a
 * repository uses every core. Runs are moved to the worker when `owned`, and plaintexts are moved back. Threads start on first
 * use and do not keep the process alive when idle; `repository.close()` ends them.
 *
 * @example
 * ```ts
 * const repo = await openRepository(transport, { password, crypto: nativeCrypto, codec: nodeDeflateRaw, decoder: workerBlobDecoder() });
 * const report = await check(repo, { readData: true });
 * await repo.close();
 * ```
 */
export function workerBlobDecoder(options: WorkerBlobDecoderOptions = {}): BlobDecoderFactory {
  return ({ keys }) => {
    const threads = Math.max(1, options.threads ?? availableParallelism());
    const workers: { w: Worker; busy: number }[] = [];
    const jobs = new Map<
      number,
      { resolve: (p: Uint8Array[]) => void; reject: (e: unknown) => void; on: Worker }
    >();
    let next = 0;
    const settle = (r: Reply) => {
      const job = jobs.get(r.n);
      if (!job) return;
      jobs.delete(r.n);
      const slot = workers.find((x) => x.w === job.on);
      if (slot && --slot.busy === 0) slot.w.unref();
      if ('error' in r) job.reject(new KluisError(r.error.code, r.error.message));
      else job.resolve(r.plains);
    };
    const crashed = (w: Worker, e: unknown) => {
      const at = workers.findIndex((x) => x.w === w);
      if (at >= 0) workers.splice(at, 1);
      for (const [n, job] of jobs)
        if (job.on === w) {
          jobs.delete(n);
          job.reject(new KluisError('INTERNAL', 'blob decoder worker crashed', { cause: e }));
        }
    };
    const pick = () => {
      if (workers.length < threads) {
        const w = spawnWorker('_decoder-worker', { keys });
        w.on('message', settle);
        w.on('error', (e) => crashed(w, e));
        w.unref();
        workers.push({ w, busy: 0 });
      }
      return workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    };
    const post = (run: SealedRun, owned: boolean | undefined, plains: boolean) => {
      const slot = pick();
      const n = next++;
      return new Promise<Uint8Array[]>((resolve, reject) => {
        jobs.set(n, { resolve, reject, on: slot.w });
        if (slot.busy++ === 0) slot.w.ref();
        const b = run.bytes;
        const whole = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;
        const move = owned && whole && b.buffer instanceof ArrayBuffer ? [b.buffer] : [];
        slot.w.postMessage({ n, run, plains }, move);
      });
    };
    return {
      parallelism: threads,
      open: (run: SealedRun, owned?: boolean) => post(run, owned, true),
      verify: async (run: SealedRun, owned?: boolean) => void (await post(run, owned, false)),
      async close() {
        await Promise.all(workers.splice(0).map((x) => x.w.terminate()));
      },
    } satisfies BlobDecoder;
  };
}
