import { KluisError } from '../../errors';
import { isSafeName } from '../format/tree';
import type { BackupSource, SourceEntry } from './source';

/** Options of {@link streamSource}. */
export interface StreamSourceOptions {
  /** Permission bits recorded for the file (default 0o600: dumps are often secret). */
  mode?: number;
  /** Modification time recorded, ms since the epoch (default: when the backup lists it). */
  mtime?: number;
}

/**
 * A backup source of one file whose bytes come from a stream — a database dump (`pg_dump`,
 * `mysqldump`), an export, standard input — so it is backed up as it is produced, never written
 * to disk first. The snapshot holds one file named `name` at its root (its path is `name`); the
 * size is whatever the stream yields. Browser-safe: takes a web `ReadableStream` or any
 * `AsyncIterable<Uint8Array>` (a Node `Readable`, `process.stdin`).
 *
 * The stream is read once; a failing stream fails the backup with the stream's error, and no
 * snapshot is written for a partial dump.
 *
 * @example
 * ```ts
 * const dump = (await fetch('https://db.example/export')).body!;
 * const { id } = await backup(repo, streamSource('export.sql', dump), { tags: ['db'] });
 * ```
 */
export function streamSource(
  name: string,
  stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  options: StreamSourceOptions = {},
): BackupSource {
  if (!isSafeName(name))
    throw new TypeError(`streamSource needs a file name without "/", got ${JSON.stringify(name)}`);
  let taken = false;
  let entry: SourceEntry | undefined;
  return {
    paths: [name],
    async roots() {
      entry ??= {
        name,
        type: 'file',
        mode: (options.mode ?? 0o600) & 0o7777,
        mtime: options.mtime ?? Date.now(),
        size: 0,
        streamed: true,
      };
      return [entry];
    },
    async list(path) {
      throw new TypeError(`streamSource has no directory ${path.join('/')}`);
    },
    read(path, signal) {
      if (path.length !== 1 || path[0] !== name)
        throw new TypeError(`streamSource has no file ${path.join('/')}`);
      if (taken) throw new TypeError(`streamSource ${name}: the stream was already read`);
      taken = true;
      return readAll(stream, name, signal);
    },
  };
}

async function* readAll(
  stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  name: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  const iterable = Symbol.asyncIterator in stream ? stream : iterateReader(stream);
  try {
    for await (const part of iterable) {
      signal?.throwIfAborted();
      if (!(part instanceof Uint8Array))
        throw new KluisError(
          'INVALID_CONFIG',
          `streamSource ${name}: the stream yielded ${typeof part}, not Uint8Array bytes`,
        );
      yield part;
    }
  } catch (e) {
    if (signal?.aborted || KluisError.is(e)) throw e;
    // A failing producer (a dump that broke off) must fail the backup, not skip a file.
    const why = e instanceof Error ? e.message : String(e);
    throw new KluisError('UNAVAILABLE', `reading the stream for ${name} failed: ${why}`, {
      cause: e,
      retryable: false,
    });
  }
}

/** A `ReadableStream` without async iteration (Safari before 18.4). */
async function* iterateReader(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
