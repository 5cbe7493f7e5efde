import type { Worker } from 'node:worker_threads';
import { type ErrorCode, KluisError } from '../errors';
import { spawnWorker } from './_spawn-worker';

/**
 * What a worker script posts back for job `n`: its result, or the error it met. A reply with
 * `more` is one part of a streamed answer (see `RunOptions.onPart`); the job goes on.
 */
export type WorkerReply = { n: number; more?: boolean; error?: { code: ErrorCode; message: string } };

/** How a streamed job's handler sends a control message (handing buffers back, cancelling) to its thread. */
export type PostToThread = (message: object, transfer: ArrayBuffer[]) => void;

/** Options of {@link WorkerPool.run}. */
export interface RunOptions {
  /** Post at once rather than with the other jobs of this turn (for a job that is itself a batch). */
  now?: boolean;
  /** The job's weight in choosing the least busy thread (default 1: a blob batch of ~1 MiB). */
  load?: number;
  /**
   * For a streamed answer: called with each part (`more: true`) and then with the final reply
   * (unless it is an error), before the promise resolves.
   */
  onPart?: (part: WorkerReply, post: PostToThread) => void;
  /** Called once the job is given to a thread, with its number and a way to send that thread control messages. */
  onPosted?: (n: number, post: PostToThread) => void;
}

type Slot = {
  w: Worker;
  busy: number;
  /** Sum of the weights of the jobs in flight: what the least busy thread is chosen by. */
  load: number;
  queued: object[];
  moves: ArrayBuffer[];
  /** Settles when the thread has loaded its script (its first message) or failed to. */
  ready: Promise<void>;
};

/**
 * A fixed set of worker threads running one of the package's worker scripts, started on first
 * use. Each job goes to the least busy thread; threads keep the process alive only while they
 * have work. Shared by the blob encoder and decoder pools.
 */
export class WorkerPool<Result> {
  #workers: Slot[] = [];
  #jobs = new Map<
    number,
    {
      resolve: (r: Result) => void;
      reject: (e: unknown) => void;
      slot: Slot;
      load: number;
      onPart: RunOptions['onPart'];
    }
  >();
  #next = 0;
  #flushing = false;

  constructor(
    readonly size: number,
    readonly script: '_encoder-worker' | '_decoder-worker',
    readonly workerData: unknown,
  ) {}

  /**
   * Posts `job` (with `n` added) to a thread, moving `transfer`; resolves to the reply. Jobs are
   * posted at the end of this turn of the event loop, together with the others of the turn, or at
   * once with `now` (for a job that is itself a batch).
   */
  run(job: object, transfer: ArrayBuffer[], options: RunOptions | boolean = {}): Promise<Result> {
    const {
      now = false,
      load = 1,
      onPart,
      onPosted,
    } = typeof options === 'boolean' ? { now: options } : options;
    const slot = this.#pick();
    const n = this.#next++;
    onPosted?.(n, (message, transfer) => slot.w.postMessage([message], transfer));
    return new Promise((resolve, reject) => {
      this.#jobs.set(n, { resolve, reject, slot, load, onPart });
      slot.load += load;
      if (slot.busy++ === 0) slot.w.ref();
      if (now) {
        slot.w.postMessage([{ ...job, n }], transfer);
        return;
      }
      slot.queued.push({ ...job, n });
      slot.moves.push(...transfer);
      if (!this.#flushing) {
        this.#flushing = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /**
   * Posts the jobs queued during this turn of the event loop, one message per thread: waking a
   * thread costs far more than the message itself. Replies come one by one (see `answerBatch`).
   * Only the decoder's runs use this queue: the encode side batches once, before the pool (small
   * blobs in `EncodeBatcher`, whole files in `WholeFileEncoder`), and posts with `now`.
   */
  #flush(): void {
    this.#flushing = false;
    for (const slot of this.#workers) {
      if (slot.queued.length === 0) continue;
      slot.w.postMessage(slot.queued, [...new Set(slot.moves)]);
      slot.queued = [];
      slot.moves = [];
    }
  }

  /**
   * Starts every thread not yet started; resolves once all have loaded their script and answer
   * at once, or rejects when one failed to start.
   */
  start(): Promise<void> {
    while (this.#workers.length < this.size) this.#spawn();
    return Promise.all(this.#workers.map((s) => s.ready)).then(() => {});
  }

  async close(): Promise<void> {
    const ws = this.#workers;
    this.#workers = [];
    await Promise.all(ws.map((x) => x.w.terminate()));
  }

  #pick(): Slot {
    if (this.#workers.length < this.size) return this.#spawn();
    return this.#workers.reduce((a, b) => (b.load < a.load ? b : a));
  }

  #spawn(): Slot {
    const w = spawnWorker(this.script, this.workerData);
    let loaded: () => void = () => {};
    let failed: (e: unknown) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      loaded = resolve;
      failed = reject;
    });
    ready.catch(() => {}); // also reported to the jobs, if any
    const slot: Slot = { w, busy: 0, load: 0, queued: [], moves: [], ready };
    // A worker script's first message is an empty batch of replies, once its script has loaded.
    w.on('message', (rs: WorkerReply[]) => {
      loaded();
      for (const r of rs) this.#done(r);
    });
    w.on('error', (e) => {
      failed(e);
      this.#fail(slot, e);
    });
    w.on('exit', (code) => {
      const e = new Error(`${this.script.slice(1)} thread exited with code ${code}`);
      failed(e);
      // Not ended by close() or an error already reported: fail its jobs rather than wait forever.
      if (this.#workers.includes(slot)) this.#fail(slot, e);
    });
    w.unref();
    this.#workers.push(slot);
    return slot;
  }

  #done(r: WorkerReply): void {
    const job = this.#jobs.get(r.n);
    if (!job) return;
    const w = job.slot.w;
    const post: PostToThread = (message, transfer) => w.postMessage([message], transfer);
    if (r.more) {
      job.onPart?.(r, post);
      return;
    }
    this.#jobs.delete(r.n);
    job.slot.load -= job.load;
    if (--job.slot.busy === 0) job.slot.w.unref();
    if (r.error) job.reject(new KluisError(r.error.code, r.error.message));
    else {
      job.onPart?.(r, post);
      job.resolve(r as Result);
    }
  }

  #fail(slot: Slot, e: unknown): void {
    this.#workers = this.#workers.filter((x) => x !== slot);
    for (const [n, job] of this.#jobs) {
      if (job.slot !== slot) continue;
      this.#jobs.delete(n);
      job.reject(new KluisError('INTERNAL', `${this.script.slice(1)} thread crashed`, { cause: e }));
    }
  }
}

/** Bytes of work the worker encoder and decoder do on the calling thread by default (`inlineBytes`). */
export const INLINE_BYTES = 2 << 20;

/**
 * Decides, job by job, whether work is done on the calling thread: until `bytes` of it have been
 * (the pool's threads start then), and on until they run (`onRunning` is told). A small backup or
 * restore thus never starts a thread, and a large one does not wait for them.
 */
export function inlineUntilRunning(
  pool: { start(): Promise<void> },
  bytes: number,
  onRunning: () => void = () => {},
): (size: number) => boolean {
  let left = bytes;
  let running = left <= 0;
  let starting = false;
  if (running) onRunning();
  return (size) => {
    if (running) return false;
    left -= size;
    if (left <= 0 && !starting) {
      starting = true;
      // A thread that fails to start fails the jobs sent to it, which reports the error.
      const go = () => {
        running = true;
        onRunning();
      };
      pool.start().then(go, go);
    }
    return true;
  };
}

/**
 * The buffer behind `bytes` when it can be moved to another thread without affecting anything
 * else: the caller owns it (`owned`), and the view covers all of it.
 */
export function movable(bytes: Uint8Array, owned: boolean | undefined): ArrayBuffer[] {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return owned && whole && bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : [];
}

/**
 * Runs a worker script's handler on each job of a batch, posting each reply as soon as it is
 * ready (moving the buffers it names): replying once per batch measured ~10 % slower, as the
 * main thread then waited for the whole batch.
 */
export async function answerBatch<Job extends { n: number }>(
  post: (replies: WorkerReply[], moves: ArrayBuffer[]) => void,
  jobs: Job[],
  handle: (job: Job) => Promise<{ reply: WorkerReply; moves: ArrayBuffer[] }>,
): Promise<void> {
  for (const job of jobs) {
    try {
      const r = await handle(job);
      post([r.reply], r.moves);
    } catch (e) {
      post([errorReply(job.n, e)], []);
    }
  }
}

/** How a worker script reports an error for job `n`. */
export function errorReply(n: number, e: unknown): WorkerReply {
  return {
    n,
    error: {
      code: KluisError.is(e) ? e.code : 'INTERNAL',
      message: e instanceof Error ? e.message : String(e),
    },
  };
}
