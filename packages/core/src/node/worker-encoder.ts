import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { KluisError } from '../errors';
import type { BlobEncoder, BlobEncoderFactory, EncodedBlob } from '../repo/blob-encoder';
import { spawnWorker } from './_spawn-worker';

/** Options of {@link workerBlobEncoder}. */
export interface WorkerBlobEncoderOptions {
  /** Worker threads; default the machine's available parallelism. */
  threads?: number;
}

type Reply = { n: number; codec: number; sealed: Uint8Array } | { n: number; error: string };

/**
 * Compresses and seals blobs on worker threads, so a backup uses every core: the main thread
 * reads, chunks and hashes, the workers do the rest. Workers use node:zlib and node:crypto and
 * produce exactly what the inline encoder produces (up to the random nonce). Threads are not
 * kept alive when idle; `repository.close()` ends them.
 *
 * @example
 * ```ts
 * const repo = await openRepository(transport, { password, crypto: nativeCrypto, codec: nodeDeflateRaw, encoder: workerBlobEncoder() });
 * await backup(repo, fsSource(['/home/me']));
 * await repo.close();
 * ```
 */
export function workerBlobEncoder(options: WorkerBlobEncoderOptions = {}): BlobEncoderFactory {
  return ({ key, codec }) => {
    const threads = Math.max(1, options.threads ?? availableParallelism());
    const pool = new Pool(threads, { key, compress: codec !== undefined });
    return {
      parallelism: threads,
      encode: (type, id, plain, owned) => pool.run(type, id, plain, owned === true),
      close: () => pool.close(),
    } satisfies BlobEncoder;
  };
}

class Pool {
  #workers: { w: Worker; busy: number }[] = [];
  #jobs = new Map<
    number,
    { resolve: (r: EncodedBlob) => void; reject: (e: unknown) => void; worker: { w: Worker; busy: number } }
  >();
  #next = 0;

  constructor(
    readonly size: number,
    readonly data: { key: Uint8Array; compress: boolean },
  ) {}

  run(type: 'data' | 'tree', id: Uint8Array, plain: Uint8Array, owned: boolean): Promise<EncodedBlob> {
    const worker = this.#pick();
    const n = this.#next++;
    return new Promise((resolve, reject) => {
      this.#jobs.set(n, { resolve, reject, worker });
      if (worker.busy++ === 0) worker.w.ref();
      // Moving an owned buffer costs nothing; cloning it cost the main thread about a fifth of
      // its time in a backup.
      const whole = plain.byteOffset === 0 && plain.byteLength === plain.buffer.byteLength;
      const move = owned && whole && plain.buffer instanceof ArrayBuffer ? [plain.buffer] : [];
      worker.w.postMessage({ n, type, id, plain }, move);
    });
  }

  async close(): Promise<void> {
    const ws = this.#workers;
    this.#workers = [];
    await Promise.all(ws.map((x) => x.w.terminate()));
  }

  #pick() {
    if (this.#workers.length < this.size) {
      const entry = { w: spawnWorker('_encoder-worker', this.data), busy: 0 };
      entry.w.on('message', (r: Reply) => this.#done(r));
      entry.w.on('error', (e) => this.#fail(entry, e));
      entry.w.unref();
      this.#workers.push(entry);
      return entry;
    }
    return this.#workers.reduce((a, b) => (b.busy < a.busy ? b : a));
  }

  #done(r: Reply): void {
    const job = this.#jobs.get(r.n);
    if (!job) return;
    this.#jobs.delete(r.n);
    if (--job.worker.busy === 0) job.worker.w.unref();
    if ('error' in r) job.reject(new KluisError('INTERNAL', `blob encoder worker failed: ${r.error}`));
    else job.resolve({ codec: r.codec, sealed: r.sealed });
  }

  #fail(entry: { w: Worker; busy: number }, e: unknown): void {
    this.#workers = this.#workers.filter((x) => x !== entry);
    for (const [n, job] of this.#jobs) {
      if (job.worker !== entry) continue;
      this.#jobs.delete(n);
      job.reject(new KluisError('INTERNAL', 'blob encoder worker crashed', { cause: e }));
    }
  }
}
