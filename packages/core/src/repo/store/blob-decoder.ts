import { equalBytes, hex } from '../../_bytes';
import { CODEC_NONE, type CompressionCodec, decoderFor } from '../../compression';
import type { CryptoProvider } from '../../crypto/provider';
import { IntegrityError, KluisError } from '../../errors';
import type { BlobType } from '../format/layout';
import { AAD, createSealer, type Sealer } from '../format/sealer';

/** One blob inside a {@link SealedRun}. */
export interface RunBlob {
  type: BlobType;
  /** Blob ID (32 bytes). */
  id: Uint8Array;
  /** Offset of the sealed blob inside the run's bytes. */
  offset: number;
  /** Sealed length. */
  length: number;
  /** Compression codec id (0 = none). */
  codec: number;
  /** Plaintext length. */
  rawLength: number;
}

/** Bytes read from a pack (a range of it, or all of it) and the blobs inside them. */
export interface SealedRun {
  bytes: Uint8Array;
  blobs: readonly RunBlob[];
  /** Names the source in errors, e.g. `data/<pack id>`. */
  where: string;
  /** When `bytes` is a whole object named by its SHA-256, that name (hex): it is checked too. */
  sha256?: string;
}

/**
 * Opens sealed blobs: authenticates each, decompresses it and checks its ID against its
 * plaintext, so what it returns is exactly what was backed up. Inline by default; in Node,
 * `workerBlobDecoder()` from `@kluis/core/node` does it on worker threads (used by `check`).
 *
 * @example
 * ```ts
 * const decoder = inlineBlobDecoder({ crypto: portableCrypto, keys: deriveSubkeys(portableCrypto, master), codec: webDeflateRaw });
 * // `entry` is one blob of the pack `packBytes` (its type, ID, offset, length and codec)
 * const [plain] = await decoder.open({ bytes: packBytes, blobs: [entry], where: `data/${packName}` });
 * ```
 */
export interface BlobDecoder {
  /**
   * Opens every blob of a run, in order; rejects with the first damage found (`INTEGRITY`,
   * `INVALID_DATA` or `UNSUPPORTED_VERSION`). With `owned`, the caller hands over `run.bytes` and
   * all of the buffer behind it (`run.bytes.buffer`, which may be larger than the view, as a
   * recycled read buffer is): the decoder may move that buffer to another thread, and the caller
   * touches none of it again. Without it, the bytes are copied where they need to go.
   */
  open(run: SealedRun, owned?: boolean): Promise<Uint8Array[]>;
  /**
   * Checks every blob of a run as `open` does, without handing plaintexts back (for `check`).
   * With `owned` (as for `open`), it may resolve to `run.bytes` handed back once it is done with
   * them (the same memory, over a new `ArrayBuffer` object if they went to another thread and
   * back), so the caller can read into the buffer again.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: decoders that hand nothing back may resolve to nothing
  verify(run: SealedRun, owned?: boolean): Promise<Uint8Array | void>;
  /**
   * Optional: opens the blobs of a run as `open` does and writes files from them to local paths
   * (the Node worker decoder has it), each file once all of its blobs are intact; a damaged blob
   * rejects before its file is written (files earlier in the run may have been). A restore uses
   * it for targets that name their files by path (`RestoreTarget.nativeFile`), so file-system
   * calls and plaintexts stay off the calling thread. Each file lists the indexes of its blobs
   * in `run.blobs`, in order. With `owned`, it may resolve to `run.bytes` handed back, as
   * `verify` does.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: decoders that hand nothing back may resolve to nothing
  writeFiles?(run: SealedRun, files: readonly NativeFileWrite[], owned?: boolean): Promise<Uint8Array | void>;
  /** How many runs are worth keeping in flight. */
  readonly parallelism: number;
  /** Releases threads or other resources. */
  close(): Promise<void>;
}

/**
 * A file a decoder writes itself: where and how (from `RestoreTarget.nativeFile`), and which
 * blobs of the run make it up.
 *
 * @example
 * ```ts
 * const write: NativeFileWrite = { file: { path: '/tmp/out/a.txt', mode: 0o644, mtime: Date.now(), sparse: true }, blobs: [0, 1] };
 * ```
 */
export interface NativeFileWrite {
  file: NativeFile;
  blobs: readonly number[];
  /**
   * Where in the file the first blob goes (default 0). From 0 the file is created or truncated;
   * further on, it is a later piece of a file too large for one run, and must exist.
   */
  from?: number;
  /** Whether this is the file's last piece, after which its size, mode and mtime are set (default true). */
  final?: boolean;
}

/**
 * A file as a restore target lets a decoder write it (see `RestoreTarget.nativeFile`): created
 * (or truncated) without following a symbolic link, written, then given its mode and mtime, and
 * renamed from `temp` to `path` when it has a `temp`.
 *
 * @example
 * ```ts
 * const file: NativeFile = { path: '/tmp/out/a.txt', mode: 0o644, mtime: Date.now(), sparse: true };
 * ```
 */
export interface NativeFile {
  /** Absolute local path, already checked to lie inside the target. */
  path: string;
  /**
   * Optional: where to write the file until its last piece is written, in the same directory;
   * it is then renamed to `path`. A restore that stops midway leaves no partial file under its
   * real name (the target's `discard` removes this one).
   */
  temp?: string;
  /** Permission bits to apply, or undefined to leave those it was created with (0600). */
  mode?: number;
  /** Modification time, ms since the epoch. */
  mtime: number;
  /** Leave holes for all-zero chunks (of at least 4 KiB). */
  sparse: boolean;
}

/** What a {@link BlobDecoderFactory} receives from the repository. */
export interface BlobDecoderOptions {
  crypto: CryptoProvider;
  /** Encryption and blob-ID subkeys. */
  keys: { encryption: Uint8Array; id: Uint8Array };
  /** Decompresses blobs whose codec is not `none`. */
  codec: Omit<CompressionCodec, 'compress'>;
}

/**
 * Creates a {@link BlobDecoder} for a repository's keys; passed in `RepositoryOptions.decoder`.
 *
 * @example
 * ```ts
 * const repo = await openRepository(transport, { password, decoder: (o) => inlineBlobDecoder(o) });
 * ```
 */
export type BlobDecoderFactory = (options: BlobDecoderOptions) => BlobDecoder;

/**
 * Opens blobs on the calling thread.
 *
 * @example
 * ```ts
 * const decoder = inlineBlobDecoder({ crypto: portableCrypto, keys: deriveSubkeys(portableCrypto, master), codec: webDeflateRaw });
 * const plains = await decoder.open({ bytes: packBytes, blobs: entries, where: `data/${packName}` });
 * ```
 */
export function inlineBlobDecoder(options: BlobDecoderOptions): BlobDecoder {
  const sealer = createSealer(options.crypto, options.keys);
  return {
    parallelism: 1,
    open: (run) => openRun(sealer, options.codec, run),
    // The plaintexts never alias the run's bytes (opening copies), so owned bytes go back as they are.
    verify: async (run, owned) => {
      await verifyRun(sealer, options.codec, run);
      return owned ? run.bytes : undefined;
    },
    async close() {},
  };
}

/** Opens a run with a sealer (the inline decoder and the worker share this). */
export async function openRun(
  sealer: Sealer,
  codec: Omit<CompressionCodec, 'compress'>,
  run: SealedRun,
): Promise<Uint8Array[]> {
  checkRunHash(sealer, run);
  const out: Uint8Array[] = [];
  for (const b of run.blobs) out.push(await openRunBlob(sealer, codec, run, b));
  return out;
}

/**
 * Checks every blob of a run as {@link openRun} does, keeping no plaintext beyond its own check
 * (a 16 MiB pack of text opens to ~40 MB). `opened` is told each plaintext's length.
 */
export async function verifyRun(
  sealer: Sealer,
  codec: Omit<CompressionCodec, 'compress'>,
  run: SealedRun,
  opened?: (length: number) => void,
): Promise<void> {
  checkRunHash(sealer, run);
  for (const b of run.blobs) {
    const plain = await openRunBlob(sealer, codec, run, b);
    opened?.(plain.length);
  }
}

/** Checks a whole object's bytes against its name, when the run is one (`run.sha256`). */
export function checkRunHash(sealer: Sealer, run: SealedRun): void {
  if (run.sha256 === undefined) return;
  const actual = hex(sealer.sha256(run.bytes));
  if (actual !== run.sha256) throw new IntegrityError(run.where, run.sha256, actual);
}

/** Opens one blob of a run (see {@link openBlob}), refusing one that lies outside its bytes. */
export function openRunBlob(
  sealer: Sealer,
  codec: Omit<CompressionCodec, 'compress'>,
  run: SealedRun,
  b: RunBlob,
) {
  if (b.offset < 0 || b.offset + b.length > run.bytes.length)
    throw new IntegrityError(
      `${run.where} blob ${hex(b.id)}`,
      'a blob within the bytes read',
      'out of range',
    );
  const sealed = run.bytes.subarray(b.offset, b.offset + b.length);
  return openBlob(sealer, codec, b.type, b.id, sealed, b.codec, b.rawLength, run.where);
}

/** Opens one sealed blob and checks its ID against its plaintext. */
export async function openBlob(
  sealer: Sealer,
  codec: Omit<CompressionCodec, 'compress'>,
  type: BlobType,
  id: Uint8Array,
  sealed: Uint8Array,
  codecId: number,
  rawLength: number,
  where: string,
): Promise<Uint8Array> {
  const packed = sealer.open(sealed, AAD.blob(type, id), `${where} blob ${hex(id)}`);
  let plain = packed;
  if (codecId !== CODEC_NONE) {
    const decoder = decoderFor(codec, codecId);
    if (!decoder)
      throw new KluisError('UNSUPPORTED_VERSION', `blob ${hex(id)} uses unknown codec ${codecId}`);
    try {
      plain = await decoder.decompress(packed, rawLength);
    } catch (e) {
      throw new KluisError('INVALID_DATA', `blob ${hex(id)} in ${where} does not decompress`, { cause: e });
    }
  }
  if (plain.length !== rawLength)
    throw new IntegrityError(
      `${where} blob ${hex(id)}`,
      `${rawLength} bytes of plaintext`,
      `${plain.length}`,
    );
  if (!equalBytes(sealer.blobId(plain), id)) {
    throw new IntegrityError(`${where} blob ${hex(id)}`, hex(id), hex(sealer.blobId(plain)));
  }
  return plain;
}
