import { availableParallelism } from 'node:os';
import type { CompressionCodec } from '../codec';
import type { CryptoProvider } from '../crypto/provider';
import type { BlobDecoderFactory } from '../repo/store/blob-decoder';
import type { BlobEncoderFactory } from '../repo/store/blob-encoder';
import { nativeCrypto } from './crypto';
import { workerBlobDecoder } from './worker-decoder';
import { workerBlobEncoder } from './worker-encoder';
import { nodeCodec } from './zlib-codec';

/** Options of {@link nodeRepositoryOptions}. */
export interface NodeRepositoryPresetOptions {
  /**
   * Worker threads that compress and seal while backing up and open and write files while
   * restoring or checking; default the machine's available parallelism. 0 keeps all the work on
   * the calling thread (no encoder or decoder is set).
   */
  threads?: number;
  /**
   * Whether the worker threads also read, chunk and identify whole new files during a backup
   * from `fsSource` (default false; see `WorkerBlobEncoderOptions.wholeFiles`). The snapshot is
   * the same either way.
   */
  wholeFiles?: boolean;
}

/** What {@link nodeRepositoryOptions} returns: options for `initRepository` and `openRepository`. */
export interface NodeRepositoryPreset {
  crypto: CryptoProvider;
  codec: CompressionCodec;
  encoder?: BlobEncoderFactory;
  decoder?: BlobDecoderFactory;
}

/**
 * The fast Node wiring of a repository in one call: `nativeCrypto` (node:crypto), `nodeCodec`
 * (zstd from node:zlib where this Node has it, else deflate-raw), and worker threads for
 * encoding and decoding blobs. The threads start only once a backup or restore has more than
 * 2 MiB to do, and `repository.close()` ends them. Spread it into the options, next to the
 * password; any option written after it wins.
 *
 * @example
 * ```ts
 * const repo = await openRepository(localTransport({ root: '/srv/backup' }), {
 *   password,
 *   ...nodeRepositoryOptions({ threads: 4 }),
 * });
 * await backup(repo, fsSource(['/home/me']), { parent: 'latest' });
 * await repo.close();
 * ```
 */
export function nodeRepositoryOptions(options: NodeRepositoryPresetOptions = {}): NodeRepositoryPreset {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 0)
    throw new RangeError(`threads must be a whole number ≥ 0, got ${threads}`);
  const preset: NodeRepositoryPreset = { crypto: nativeCrypto, codec: nodeCodec };
  if (threads > 0) {
    preset.encoder = workerBlobEncoder({ threads, wholeFiles: options.wholeFiles === true });
    preset.decoder = workerBlobDecoder({ threads });
  }
  return preset;
}
