// The calling thread's side of whole-file work (BlobEncoder.files): files handed over in one turn
// of the event loop go to the threads in jobs of about a megabyte, and their streamed parts are
// handed to the backup chunk by chunk. Internal: used by workerBlobEncoder.
import { KluisError } from '../errors';
import type { FileChunkHandler, FileEncoder } from '../repo/store/blob-encoder';
import { type FileError, type FileJob, type FilePart, META } from './_file-worker';
import type { PostToThread, WorkerPool } from './_worker-pool';

/** Bytes of files gathered into one job before the next job starts (a larger file goes alone). */
export const JOB_BYTES = 1 << 20;
/** Files in one job at most (a tree of tiny files). */
export const JOB_FILES = 256;

/** A job's files, and which of them have settled. */
interface Job {
  files: Pending[];
  settled: Uint8Array;
}

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
  /** Listed bytes of the queued files. */
  #queued = 0;
  #scheduled = false;
  /** Jobs posted and not yet ended. */
  #inFlight = 0;
  /** Jobs posted and not yet ended, by number: a part may hold chunks of several. */
  #jobs = new Map<number, Job>();

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
      this.#queued += size;
      if (this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#flush();
      });
    });
  }

  /**
   * Posts queued files in jobs of about `JOB_BYTES`: at once while the threads have fewer than
   * two jobs each (so none waits for work), else once a job's worth is queued or a job ends. A
   * tree of small directories hands over a few files per turn; posting each few as a job cost a
   * message there and back per directory (measured: 2,745 jobs and 7,029 parts for the 7,316
   * files of the mixed tree).
   */
  #flush(): void {
    while (this.#queue.length > 0) {
      const hungry = this.#inFlight < 2 * this.pool.size;
      if (!hungry && this.#queued < JOB_BYTES && this.#queue.length < JOB_FILES) return;
      const signal = this.#queue[0]!.signal;
      let bytes = 0;
      let count = 0;
      // A job is cancelled by its files' signal: files of another backup go in another job.
      while (count < this.#queue.length && count < JOB_FILES && bytes < JOB_BYTES) {
        const p = this.#queue[count]!;
        if (p.signal !== signal) break;
        bytes += p.size;
        count++;
      }
      const files = this.#queue.splice(0, count);
      this.#queued -= bytes;
      if (signal?.aborted) for (const f of files) f.reject(signal.reason);
      else this.#post(files, bytes);
    }
  }

  #post(files: Pending[], bytes: number): void {
    const job: FileJob = { kind: 'files', files: files.map((f) => ({ path: f.path, size: f.size })) };
    const state: Job = { files, settled: new Uint8Array(files.length) };
    const signal = files[0]!.signal;
    let n: number | undefined;
    let cancel: (() => void) | undefined;
    const onPosted = (number: number, post: PostToThread) => {
      n = number;
      this.#jobs.set(number, state);
      if (!signal) return;
      cancel = () => post({ kind: 'cancel', job: number }, []);
      signal.addEventListener('abort', cancel, { once: true });
    };
    this.#inFlight++;
    // Files of an aborted (or failed) job settle only once its thread has stopped sending
    // parts, so no chunk reaches the caller after its file has failed.
    const end = (error: unknown) => {
      this.#inFlight--;
      if (n !== undefined) this.#jobs.delete(n);
      if (cancel) signal?.removeEventListener('abort', cancel);
      files.forEach((f, i) => {
        if (state.settled[i]) return;
        state.settled[i] = 1;
        if (error === undefined)
          f.reject(new KluisError('INTERNAL', `no answer for ${f.path} from its thread`));
        else f.reject(f.signal?.aborted ? f.signal.reason : error);
      });
      this.#flush();
    };
    const load = 1 + bytes / JOB_BYTES;
    // Posted at once: the gathering above is this side's batching, not the pool's per-turn queue.
    this.pool.run(job, [], { now: true, load, onPart: this.#onPart, onPosted }).then(
      () => end(undefined),
      (e: unknown) => end(e),
    );
  }

  /** Hands a part's chunks to their files, then settles the files it completes. */
  readonly #onPart = (reply: unknown, post: PostToThread): void => {
    const r = reply as FilePart;
    if (r.part !== true) return; // a job's final reply
    const buffer = r.sealed.buffer as ArrayBuffer;
    let held = r.count;
    const give = () => post({ kind: 'give', buffer }, [buffer]);
    if (held === 0 && buffer.byteLength > 0) give();
    const m = r.meta;
    for (let i = 0, start = 0; i < r.count; i++) {
      const o = i * META;
      const job = this.#jobs.get(m[o]!);
      const f = m[o + 1]!;
      const end = m[o + 3]!;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        if (--held === 0) give();
      };
      const blob = { codec: m[o + 4]!, sealed: r.sealed.subarray(start, end), release };
      start = end;
      if (!job || job.settled[f]) {
        release(); // its handler failed on an earlier chunk
        continue;
      }
      try {
        job.files[f]!.onChunk(new Uint8Array(m.buffer, m.byteOffset + (o + 5) * 4, 32), m[o + 2]!, blob);
      } catch (e) {
        release();
        job.settled[f] = 1;
        job.files[f]!.reject(e);
      }
    }
    for (const d of r.done) {
      const job = this.#jobs.get(d.job);
      if (!job || job.settled[d.f]) continue;
      job.settled[d.f] = 1;
      if (d.error) job.files[d.f]!.reject(fileError(d.error));
      else job.files[d.f]!.resolve(d.size);
    }
  };
}

/** The file system's error as the thread reported it, with its code (`ENOENT`, `EACCES`, …). */
function fileError(e: FileError): Error {
  const error = new Error(e.message) as Error & { code?: string };
  if (e.code !== undefined) error.code = e.code;
  return error;
}
