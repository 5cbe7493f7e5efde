import { type CompressionCodec, compressAuto } from '../../compression';
import { type CryptoProvider, NONCE_LENGTH, TAG_LENGTH } from '../../crypto/provider';
import { seal } from '../../crypto/seal';
import type { ChunkerParams } from '../format/config';
import type { BlobType } from '../format/layout';
import { AAD } from '../format/sealer';

/** The result of encoding one blob: the codec used and the sealed bytes. */
export interface EncodedBlob {
  codec: number;
  sealed: Uint8Array;
  /**
   * Optional: tells the encoder that `sealed` is no longer needed (the caller copied it), so it
   * may reuse the memory. Called at most once; `sealed` must not be read afterwards. Not calling
   * it is always safe: the memory is then left to the garbage collector. (Kept: fresh memory
   * costs a page fault per 4 KiB on the reference machine, docs/benchmarks.md; the worker
   * encoder's batch answers and whole-file parts go back to their thread through it.)
   */
  release?: () => void;
}

/**
 * Compresses and seals blobs: the CPU-heavy step of a backup after chunking and hashing. The
 * default runs inline; `workerBlobEncoder` in `@kluis/core/node` runs it on worker threads so
 * a backup uses every core. Implementations must produce what {@link inlineBlobEncoder} produces
 * (same codec choice, same sealing), up to the random nonce.
 *
 * @example
 * ```ts
 * const encoder = inlineBlobEncoder(portableCrypto, encryptionKey, webDeflateRaw);
 * const { codec, sealed } = await encoder.encode('data', id, chunk);
 * ```
 */
export interface BlobEncoder {
  /**
   * Compresses and seals one blob. With `owned`, the caller hands `plain` over and never touches
   * it again, so an encoder may transfer its buffer to another thread instead of copying it.
   */
  encode(type: BlobType, id: Uint8Array, plain: Uint8Array, owned?: boolean): Promise<EncodedBlob>;
  /** How many encodes are worth keeping in flight (e.g. the number of workers × 2). */
  readonly parallelism: number;
  /**
   * True when `encode` has read `plain` by the time it returns (it copies what it keeps), so the
   * caller may overwrite the buffer at once. A backup then hands over views of the chunker's
   * window instead of a fresh copy of every chunk (measured: main thread 2.6–2.75 against
   * 2.95–2.98 CPU-s on the mixed tree in-process: docs/benchmarks.md, 2026-11-27 third round).
   */
  readonly copiesInput?: boolean;
  /**
   * Optional: reads, chunks, identifies and seals whole files itself (on worker threads), for a
   * source that names its files on the local file system (`BackupSource.localPath`). See
   * {@link FileEncoder}.
   */
  readonly files?: FileEncoder;
  /** Releases threads or other resources. */
  close(): Promise<void>;
}

/**
 * One chunk of a file a {@link FileEncoder} read: its ID, its plaintext length and the blob as
 * compressed and sealed (whether or not the repository has it already: the caller decides, and
 * calls `blob.release` once done with the sealed bytes).
 *
 * @example
 * ```ts
 * const onChunk: FileChunkHandler = (id, rawLength, blob) => {
 *   void repo.blobs.saveSealed('data', id, rawLength, blob); // releases the blob when stored
 * };
 * ```
 */
export type FileChunkHandler = (id: Uint8Array, rawLength: number, blob: EncodedBlob) => void;

/**
 * Whole-file work on other threads: each file is opened, read, chunked with the repository's
 * chunker, identified (keyed blob IDs) and every chunk compressed and sealed where it is read, so
 * the calling thread keeps only deduplication, packing and the trees. A backup uses it for new
 * files once `ready`; the chunks, IDs and sealed bytes are those the calling thread would make
 * (up to the random nonces). Set by `workerBlobEncoder` in `@kluis/core/node`.
 *
 * @example
 * ```ts
 * const files = repo.encoder.files;
 * if (files?.ready) {
 *   const size = await files.encodeFile('/home/me/a.txt', 1234, (id, rawLength, blob) => {
 *     blob.release?.(); // or store it
 *   });
 * }
 * ```
 */
export interface FileEncoder {
  /** Whether files may be handed over now (its threads run); else the caller reads them itself. */
  readonly ready: boolean;
  /**
   * Reads the file at `path` (whose listed size was `size`) and calls `onChunk` for each chunk in
   * file order; resolves to the bytes read. Rejects with the file system's error for a file that
   * cannot be opened or read (chunks handed over before it stay handed over), with the signal's
   * reason once `signal` aborts, or with a `KluisError` when a thread fails.
   */
  encodeFile(path: string, size: number, onChunk: FileChunkHandler, signal?: AbortSignal): Promise<number>;
}

/**
 * Creates a {@link BlobEncoder} for a repository's encryption key; passed in `RepositoryOptions.encoder`.
 *
 * @example
 * ```ts
 * const factory: BlobEncoderFactory = ({ crypto, key, codec }) => inlineBlobEncoder(crypto, key, codec);
 * const repo = await openRepository(transport, { password, encoder: factory });
 * ```
 */
export type BlobEncoderFactory = (options: {
  crypto: CryptoProvider;
  key: Uint8Array;
  codec: CompressionCodec | undefined;
  /**
   * What an encoder needs to chunk and identify whole files itself ({@link BlobEncoder.files}):
   * the blob ID key, the chunker key and the repository's chunk sizes.
   */
  chunking?: { idKey: Uint8Array; chunkerKey: Uint8Array; chunker: ChunkerParams };
}) => BlobEncoder;

/**
 * Compresses (when it pays, as {@link inlineBlobEncoder} does) and seals one blob straight into
 * `out` at `at`, which must have room for `plain.length + SEAL_OVERHEAD` bytes: the layout `seal`
 * produces, without a buffer of its own. Returns the codec used and the sealed length. Internal:
 * the worker encoder's batches use it.
 */
export async function encodeBlobInto(
  crypto: CryptoProvider,
  key: Uint8Array,
  codec: CompressionCodec | undefined,
  blob: { type: BlobType; id: Uint8Array; plain: Uint8Array },
  out: Uint8Array,
  at: number,
): Promise<{ codec: number; length: number }> {
  const { codec: used, bytes } = await compressAuto(codec, blob.plain);
  const nonce = crypto.randomBytes(NONCE_LENGTH);
  const end = at + NONCE_LENGTH + bytes.length + TAG_LENGTH;
  out.set(nonce, at);
  crypto.xchachaSealInto(
    key,
    nonce,
    bytes,
    AAD.blob(blob.type, blob.id),
    out.subarray(at + NONCE_LENGTH, end),
  );
  return { codec: used, length: end - at };
}

/**
 * Encodes on the calling thread: `compressAuto` then `seal` with the blob's associated data.
 *
 * @example
 * ```ts
 * const repo = await openRepository(t, { password, encoder: (o) => inlineBlobEncoder(o.crypto, o.key, o.codec) });
 * ```
 */
export function inlineBlobEncoder(
  crypto: CryptoProvider,
  key: Uint8Array,
  codec: CompressionCodec | undefined,
): BlobEncoder {
  return {
    parallelism: 1,
    async encode(type, id, plain) {
      const { codec: used, bytes } = await compressAuto(codec, plain);
      return { codec: used, sealed: seal(crypto, key, bytes, AAD.blob(type, id)) };
    },
    async close() {},
  };
}
