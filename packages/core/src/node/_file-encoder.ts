// The calling thread's side of whole-file work (BlobEncoder.files): files handed over in one turn
// of the event loop go to the threads in jobs of about a megabyte, and their streamed parts are
// handed to the backup chunk by chunk. Internal: used by workerBlobEncoder.
import { KluisError } from '../errors';
import type { FileChunkHandler, FileEncoder } from '../repo/store/blob-encoder';
import type { FileError, FileJob, FilePart } from './_file-worker';
import type { PostToThread, WorkerPool } from './_worker-pool';

/** Bytes of files gathered into one job before the next job starts (a larger file goes alone). */
export const JOB_BYTES = 1 << 20;
/** Files in one job at most (a tree of tiny files). */
export const JOB_FILES = 256;

interface Pending {
  path: string;
  size: number;
  onChunk: FileChunkHandler;
  signal: AbortSignal | undefined;
  resolve: (size: number) => void;
  reject: (e: unknown) => void;
}

/**
 * Hands whole files to a worker pool's threads (see _file-worker.ts) and each of their chunks,
 * in file order, to the caller. A part's buffer goes back to its thread once every chunk in it is
 * released (stored, or dropped as a duplicate).
 */
export class WholeFileEncoder implements FileEncoder {
  #queue: Pending[] = [];
  #scheduled = false;

  constructor(
    readonly pool: WorkerPool<unknown>,
    readonly running: () => boolean,
  ) {}

  get ready(): boolean {
    return this.running();
  }

  encodeFile(path: string, size: number, onChunk: FileChunkHandler, signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      this.#queue.push({ path, size, onChunk, signal, resolve, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#flush();
      });
    });
  }

  /** Posts the files queued this turn, in jobs of about `JOB_BYTES`. */
  #flush(): void {
    const queue = this.#queue;
    this.#queue = [];
    let job: Pending[] = [];
    let bytes = 0;
    for (const p of queue) {
      // A job is cancelled by its files' signal: files of another backup go in another job.
      if (job.length > 0 && job[0]!.signal !== p.signal) {
        this.#post(job, bytes);
        job = [];
        bytes = 0;
      }
      job.push(p);
      bytes += p.size;
      if (bytes >= JOB_BYTES || job.length >= JOB_FILES) {
        this.#post(job, bytes);
        job = [];
        bytes = 0;
      }
    }
    if (job.length > 0) this.#post(job, bytes);
  }

  #post(files: Pending[], bytes: number): void {
    const job: FileJob = { kind: 'files', files: files.map((f) => ({ path: f.path, size: f.size })) };
    const settled = new Uint8Array(files.length);
    const signal = files[0]!.signal;
    let cancel: (() => void) | undefined;
    const onPosted = (n: number, post: PostToThread) => {
      if (!signal) return;
      cancel = () => post({ kind: 'cancel', job: n }, []);
      signal.addEventListener('abort', cancel, { once: true });
    };
    const onPart = (reply: unknown, post: PostToThread) => {
      const r = reply as FilePart;
      handOver(r, post, (f, id, rawLength, blob) => {
        if (settled[f]) return blob.release?.(); // its handler failed on an earlier chunk
        try {
          files[f]!.onChunk(id, rawLength, blob);
        } catch (e) {
          blob.release?.();
          settled[f] = 1;
          files[f]!.reject(e);
        }
      });
      for (const d of r.done) {
        if (settled[d.f]) continue;
        settled[d.f] = 1;
        if (d.error) files[d.f]!.reject(fileError(d.error));
        else files[d.f]!.resolve(d.size);
      }
    };
    // Files of an aborted (or failed) job settle only once its thread has stopped sending
    // parts, so no chunk reaches the caller after its file has failed.
    const end = (error: unknown) => {
      if (cancel) signal?.removeEventListener('abort', cancel);
      files.forEach((f, i) => {
        if (settled[i]) return;
        if (error === undefined)
          f.reject(new KluisError('INTERNAL', `no answer for ${f.path} from its thread`));
        else f.reject(f.signal?.aborted ? f.signal.reason : error);
      });
    };
    const load = 1 + bytes / JOB_BYTES;
    this.pool.run(job, [], { load, onPart, onPosted }).then(
      () => end(undefined),
      (e: unknown) => end(e),
    );
  }
}

/**
 * Hands each chunk of a part to `visit` (with the index of its file in the job), with a release
 * that returns the part's buffer to its thread once every chunk in it is released.
 */
function handOver(
  r: FilePart,
  post: PostToThread,
  visit: (f: number, ...chunk: Parameters<FileChunkHandler>) => void,
): void {
  const buffer = r.sealed.buffer as ArrayBuffer;
  let held = r.count;
  const give = () => post({ kind: 'give', buffer }, [buffer]);
  if (held === 0) {
    if (buffer.byteLength > 0) give();
    return;
  }
  for (let i = 0, start = 0; i < r.count; start = r.ends[i]!, i++) {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (--held === 0) give();
    };
    const blob = { codec: r.codecs[i]!, sealed: r.sealed.subarray(start, r.ends[i]), release };
    visit(r.file[i]!, r.ids.subarray(i * 32, i * 32 + 32), r.raw[i]!, blob);
  }
}

/** The file system's error as the thread reported it, with its code (`ENOENT`, `EACCES`, …). */
function fileError(e: FileError): Error {
  const error = new Error(e.message) as Error & { code?: string };
  if (e.code !== undefined) error.code = e.code;
  return error;
}
