import { availableParallelism } from 'node:os';
import type { BlobEncoder, BlobEncoderFactory, EncodedBlob } from '../repo/blob-encoder';
import { BATCH_BYTES, EncodeBatcher } from './_encode-batcher';
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
    const batcher = new EncodeBatcher(pool as WorkerPool<unknown>);
    return {
      parallelism: threads,
      copiesInput: true,
      encode(type, id, plain, owned) {
        if (plain.length <= BATCH_BYTES / 2) return batcher.add(type, id, plain);
        // A large blob travels alone; an owned one is moved, not cloned.
        const copy = owned ? plain : plain.slice();
        return pool.run({ type, id, plain: copy }, movable(copy, true));
      },
      close: () => pool.close(),
    } satisfies BlobEncoder;
  };
}
