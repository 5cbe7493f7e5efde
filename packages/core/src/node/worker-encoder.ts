import { availableParallelism } from 'node:os';
import {
  type BlobEncoder,
  type BlobEncoderFactory,
  type EncodedBlob,
  inlineBlobEncoder,
} from '../repo/store/blob-encoder';
import { BATCH_BYTES, EncodeBatcher } from './_encode-batcher';
import { WholeFileEncoder } from './_file-encoder';
import { INLINE_BYTES, inlineUntilRunning, movable, WorkerPool } from './_worker-pool';
import { nativeCrypto } from './crypto';
import { nodeCodecById } from './zlib-codec';

/** Options of {@link workerBlobEncoder}. */
export interface WorkerBlobEncoderOptions {
  /** Worker threads; default the machine's available parallelism. */
  threads?: number;
  /**
   * Bytes of plaintext encoded on the calling thread before the worker threads start; default
   * 2 MiB, 0 to start them with the first blob. The calling thread goes on encoding until they
   * are running, so a large backup does not wait for them, and a small incremental one never
   * starts them (each costs ~0.1–0.25 CPU-s and ~20 MB to start).
   */
  inlineBytes?: number;
  /**
   * Whether the threads also read, chunk and identify whole files (default false): a backup from
   * `fsSource` then hands each new file to a thread once the threads run, and the calling thread
   * only deduplicates, packs and builds the trees. The snapshot is the same either way. Off by
   * default: on a 2-core machine it used more CPU for no reliable gain in wall time (see
   * docs/benchmarks.md, "Whole-file parallelism").
   */
  wholeFiles?: boolean;
}

/**
 * Compresses and seals blobs on worker threads, so a backup uses every core: the main thread
 * reads, chunks and hashes, the workers do the rest. Workers use node:zlib and node:crypto and
 * produce exactly what the inline encoder produces (up to the random nonce). The first
 * `inlineBytes` are encoded on the calling thread, which starts the threads then and hands work
 * to them once they run. Threads are not kept alive when idle; `repository.close()` ends them.
 *
 * @example
 * ```ts
 * const repo = await openRepository(transport, { password, crypto: nativeCrypto, codec: nodeCodec, encoder: workerBlobEncoder() });
 * await backup(repo, fsSource(['/home/me']));
 * await repo.close();
 * ```
 */
export function workerBlobEncoder(options: WorkerBlobEncoderOptions = {}): BlobEncoderFactory {
  return ({ key, codec, chunking }) => {
    const threads = Math.max(1, options.threads ?? availableParallelism());
    // The threads' own codec, the node:zlib one that writes what `codec` writes.
    const local = nodeCodecById(codec?.id);
    const wholeFiles = options.wholeFiles === true && chunking !== undefined;
    const pool = new WorkerPool<EncodedBlob>(threads, '_encoder-worker', {
      key,
      codec: local?.id,
      ...(wholeFiles ? { chunking } : {}),
    });
    const batcher = new EncodeBatcher(pool as WorkerPool<unknown>);
    // The threads' own encoder, so either way the output is the same (up to the random nonce).
    const here = inlineBlobEncoder(nativeCrypto, key, local);
    let running = false;
    const inline = inlineUntilRunning(pool, options.inlineBytes ?? INLINE_BYTES, () => {
      running = true;
    });
    const files = wholeFiles ? new WholeFileEncoder(pool as WorkerPool<unknown>, () => running) : undefined;
    return {
      parallelism: threads,
      copiesInput: true,
      ...(files ? { files } : {}),
      encode(type, id, plain, owned) {
        // Encoding reads its input after an await: take a copy unless it is handed over.
        if (inline(plain.length)) return here.encode(type, id, owned ? plain : plain.slice());
        if (plain.length <= BATCH_BYTES / 2) return batcher.add(type, id, plain);
        // A large blob travels alone, posted at once (the encode side batches in the batcher,
        // never in the pool's per-turn queue); an owned one is moved, not cloned.
        const copy = owned ? plain : plain.slice();
        return pool.run({ type, id, plain: copy }, movable(copy, true), { now: true });
      },
      close: () => pool.close(),
    } satisfies BlobEncoder;
  };
}
