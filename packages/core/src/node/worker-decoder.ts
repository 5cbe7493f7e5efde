import { availableParallelism } from 'node:os';
import type { BlobDecoder, BlobDecoderFactory, NativeFileWrite, SealedRun } from '../repo/blob-decoder';
import { movable, WorkerPool } from './_worker-pool';

/** Options of {@link workerBlobDecoder}. */
export interface WorkerBlobDecoderOptions {
  /** Worker threads; default the machine's available parallelism. */
  threads?: number;
}

/**
 * Opens sealed blobs on worker threads (node:crypto and node:zlib), so verifying or reading a
 * repository uses every core. Runs are moved to the worker when `owned`, and plaintexts are moved
 * back; or, restoring to `fsTarget`, the threads write the files themselves (`writeFiles`).
 * Threads start on first use and do not keep the process alive when idle; `repository.close()`
 * ends them.
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
    const pool = new WorkerPool<{ plains: Uint8Array[]; back?: Uint8Array }>(threads, '_decoder-worker', {
      keys,
    });
    const post = (
      run: SealedRun,
      owned: boolean | undefined,
      plains: boolean,
      files?: readonly NativeFileWrite[],
    ) => {
      const moves = movable(run.bytes, owned, run.wholeBuffer);
      const { wholeBuffer: _, ...plain } = run;
      // verify and writeFiles hand a moved buffer back, to be read into again.
      const back = !plains && moves.length > 0;
      return pool.run({ run: plain, plains, back, ...(files ? { files } : {}) }, moves);
    };
    return {
      parallelism: threads,
      open: async (run, owned) => (await post(run, owned, true)).plains,
      verify: async (run, owned) => (await post(run, owned, false)).back ?? (owned ? run.bytes : undefined),
      writeFiles: async (run, files, owned) =>
        (await post(run, owned, false, files)).back ?? (owned ? run.bytes : undefined),
      close: () => pool.close(),
    } satisfies BlobDecoder;
  };
}
