import { availableParallelism } from 'node:os';
import { createSealer } from '../repo/format/sealer';
import {
  type BlobDecoder,
  type BlobDecoderFactory,
  inlineBlobDecoder,
  type NativeFileWrite,
  type SealedRun,
} from '../repo/store/blob-decoder';
import { writeRunFiles } from './_run-files';
import { INLINE_BYTES, inlineUntilRunning, WorkerPool } from './_worker-pool';
import { nativeCrypto } from './crypto';
import { nodeDeflateRaw } from './zlib-codec';

/** Options of {@link workerBlobDecoder}. */
export interface WorkerBlobDecoderOptions {
  /** Worker threads; default the machine's available parallelism. */
  threads?: number;
  /**
   * Sealed bytes opened on the calling thread before the worker threads start; default 2 MiB, 0
   * to start them with the first run. The calling thread goes on opening until they are running,
   * so restoring a few files or checking a small repository never starts them (each costs
   * ~0.1–0.25 CPU-s and ~20 MB to start).
   */
  inlineBytes?: number;
}

/**
 * Opens sealed blobs on worker threads (node:crypto and node:zlib), so verifying or reading a
 * repository uses every core. An `owned` run's buffer is moved to the thread (others are copied),
 * and plaintexts are moved back; or, restoring to `fsTarget`, the threads write the files themselves (`writeFiles`). The
 * first `inlineBytes` are opened on the calling thread, which starts the threads then and hands
 * runs to them once they run. Threads do not keep the process alive when idle;
 * `repository.close()` ends them.
 *
 * @example
 * ```ts
 * const repo = await openRepository(transport, { password, crypto: nativeCrypto, codec: nodeCodec, decoder: workerBlobDecoder() });
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
    // The threads' own crypto and codec, so either way the checks are the same.
    const local = inlineBlobDecoder({ crypto: nativeCrypto, keys, codec: nodeDeflateRaw });
    const sealer = createSealer(nativeCrypto, keys);
    const here = inlineUntilRunning(pool, options.inlineBytes ?? INLINE_BYTES);
    const post = (
      run: SealedRun,
      owned: boolean | undefined,
      plains: boolean,
      files?: readonly NativeFileWrite[],
    ) => {
      // Moved, not copied. Measured on the benchmark's 508 MB mixed tree (two decoder threads,
      // four interleaved rounds, load average 11-14 on 2 cores; medians of CPU-s of all threads,
      // peak RSS): copying each run to its thread instead took check --read-data from 4.9 to 5.8
      // CPU-s and 280 to 445 MB, a restore to fsTarget from 8.1 to 9.1 CPU-s and 270 to 390 MB.
      const buffer = run.bytes.buffer;
      const moves = owned && buffer instanceof ArrayBuffer ? [buffer] : [];
      // verify and writeFiles hand a moved buffer back, to be read into again.
      const back = !plains && moves.length > 0;
      return pool.run({ run, plains, back, ...(files ? { files } : {}) }, moves);
    };
    return {
      parallelism: threads,
      open: async (run, owned) =>
        here(run.bytes.length) ? local.open(run) : (await post(run, owned, true)).plains,
      verify: async (run, owned) =>
        here(run.bytes.length)
          ? local.verify(run, owned)
          : ((await post(run, owned, false)).back ?? (owned ? run.bytes : undefined)),
      writeFiles: async (run, files, owned) => {
        if (!here(run.bytes.length))
          return (await post(run, owned, false, files)).back ?? (owned ? run.bytes : undefined);
        await writeRunFiles(sealer, nodeDeflateRaw, run, files);
        // Opening never aliases the run's bytes (plaintexts are new buffers): they go back as they are.
        return owned ? run.bytes : undefined;
      },
      close: () => pool.close(),
    } satisfies BlobDecoder;
  };
}
