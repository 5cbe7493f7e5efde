import { availableParallelism } from 'node:os';
import type { BlobEncoder, BlobEncoderFactory, EncodedBlob } from '../repo/blob-encoder';
import { movable, WorkerPool } from './_worker-pool';

/** Options of {@link workerBlobEncoder}. */
export interface WorkerBlobEncoderOptions {
  /** Worker threads; default the machine's available parallelism. */
  threads?: number;
}

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
    const pool = new WorkerPool<EncodedBlob>(threads, '_encoder-worker', {
      key,
      compress: codec !== undefined,
    });
    return {
      parallelism: threads,
      // An owned buffer is moved, not cloned: cloning cost the main thread a fifth of its time.
      encode: (type, id, plain, owned) => pool.run({ type, id, plain }, movable(plain, owned)),
      close: () => pool.close(),
    } satisfies BlobEncoder;
  };
}
