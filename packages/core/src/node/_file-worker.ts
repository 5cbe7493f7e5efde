// Whole files on an encoder thread: each is opened, read, chunked, identified and every chunk
// compressed and sealed here, streamed back to the calling thread in parts written into pooled
// buffers that come back once stored. Internal: _encoder-worker.ts runs it; _file-encoder.ts is
// the calling thread's side.
import { closeSync, openSync, read, readSync } from 'node:fs';
import { keyedGearTable, loadChunker, type StreamChunker } from '../chunker/index';
import { compressAutoSync } from '../compression';
import { NONCE_LENGTH } from '../crypto/provider';
import { SEAL_OVERHEAD } from '../crypto/seal';
import { KluisError } from '../errors';
import type { ChunkerParams } from '../repo/format/config';
import { AAD } from '../repo/format/sealer';
import { READ_FLAGS } from './_read-flags';
import { errorReply, type WorkerReply } from './_worker-pool';
import { nativeCrypto } from './crypto';

/** Bytes read from a file at a time (as `fsSource` reads). */
export const READ_BYTES = 1 << 20;
/** Size of a part's buffer of sealed chunks. */
export const PART_BYTES = 2 << 20;
/**
 * Part buffers a thread may have out at once (being filled, or with the calling thread until
 * its chunks are stored): the bound on the sealed bytes a thread gets ahead of the packing.
 */
export const PART_BUFFERS = 4;

/** Files for one thread: read one after the other, their chunks streamed back in parts. */
export interface FileJob {
  kind: 'files';
  files: { path: string; size: number }[];
}

/** Messages the calling thread sends a thread about its file jobs (not jobs themselves). */
export type FileControl = { kind: 'give'; buffer: ArrayBuffer } | { kind: 'cancel'; job: number };

/** Why a file could not be read: the file system's error, as the calling thread rebuilds it. */
export interface FileError {
  message: string;
  code?: string;
}

/** A file finished after the part's chunks: bytes read, or why it stopped. */
export type FileDone =
  | { job: number; f: number; size: number; error?: undefined }
  | { job: number; f: number; error: FileError };

/** Numbers per chunk in `FilePart.meta`: job, file, plaintext length, end, codec, then the ID's 8. */
export const META = 13;

/**
 * A part of a thread's sealed chunks, of one or more of its jobs (in the order they came). Chunk
 * i is described by `meta[13i, 13i + 13)`: the job it belongs to, the index of its file in that
 * job, its plaintext length, the end of its sealed bytes in `sealed` (from the previous end, 0
 * for the first), its codec and its 32-byte ID. `sealed` is a view from the start of a pooled
 * buffer, handed back with a `give` message once every chunk in it is stored. It is posted as the
 * reply (`more`) of a job still running or ending in the same message, so the pool routes it.
 */
export interface FilePart extends WorkerReply {
  part: true;
  count: number;
  meta: Uint32Array;
  sealed: Uint8Array;
  done: FileDone[];
}

/** What a thread needs to chunk, identify and seal files: keys, codec and chunk sizes. */
export interface FileWorkerConfig {
  key: Uint8Array;
  codec: { readonly id: number; compress(data: Uint8Array): Uint8Array | Promise<Uint8Array> } | undefined;
  chunking: { idKey: Uint8Array; chunkerKey: Uint8Array; chunker: ChunkerParams };
}

type Post = (replies: WorkerReply[], moves: ArrayBuffer[]) => void;

/** A part being filled; its `meta` array is reused (posted as a copy). */
class PartBuilder {
  out: Uint8Array | undefined;
  at = 0;
  count = 0;
  meta = new Uint32Array(256 * META);
  done: FileDone[] = [];
  /** The first job with a record here (the reply the part is posted as, when none is running). */
  first: number | undefined;

  add(job: number, f: number, id: Uint8Array, rawLength: number, codec: number, end: number): void {
    const i = this.count++;
    if ((i + 1) * META > this.meta.length) {
      const grown = new Uint32Array(this.meta.length * 2);
      grown.set(this.meta);
      this.meta = grown;
    }
    const m = this.meta;
    const o = i * META;
    m[o] = job;
    m[o + 1] = f;
    m[o + 2] = rawLength;
    m[o + 3] = end;
    m[o + 4] = codec;
    new Uint8Array(m.buffer, (o + 5) * 4, 32).set(id);
    this.first ??= job;
    this.at = end;
  }

  reset(): void {
    this.out = undefined;
    this.at = 0;
    this.count = 0;
    this.done = [];
    this.first = undefined;
  }
}

/**
 * The thread's side of whole-file work. Jobs run one after the other; `give` and `cancel`
 * messages are handled as they come (the thread yields to its event loop between large reads
 * and while it waits for a part buffer). The sealed chunks of consecutive jobs share parts: a part
 * is posted when its buffer is full or when the thread runs out of jobs, in one message with the
 * final replies of the jobs it completes.
 */
export class FileWorker {
  readonly #post: Post;
  readonly #config: FileWorkerConfig;
  readonly #collect: (bytes: number) => void;
  readonly #codec: SyncCodec | undefined;
  #queue: (FileJob & { n: number })[] = [];
  #running = false;
  #cancelled = new Set<number>();
  #free: ArrayBuffer[] = [];
  #held = 0;
  #wake: (() => void) | undefined;
  #chunker: StreamChunker | undefined;
  #read = new Uint8Array(READ_BYTES);
  #part = new PartBuilder();
  /** Final replies of jobs whose last records are in the part being filled. */
  #ends: WorkerReply[] = [];
  #job: (FileJob & { n: number }) | undefined;

  constructor(post: Post, config: FileWorkerConfig, collect: (bytes: number) => void) {
    this.#post = post;
    this.#config = config;
    this.#collect = collect;
    const codec = config.codec;
    this.#codec = codec && {
      id: codec.id,
      compress(data) {
        const c = codec.compress(data);
        if (!(c instanceof Uint8Array))
          throw new TypeError(`codec ${codec.id} does not compress synchronously`);
        return c;
      },
    };
  }

  /** Queues a job; jobs run in the order they come. */
  enqueue(job: FileJob & { n: number }): void {
    this.#queue.push(job);
    if (!this.#running) void this.#drain();
  }

  /** Handles a control message from the calling thread. */
  control(m: FileControl): void {
    if (m.kind === 'cancel') {
      // It may come before the job itself (jobs are posted at the end of the turn): kept until the job ends.
      this.#cancelled.add(m.job);
      return;
    }
    this.#held--;
    if (m.buffer.byteLength === PART_BYTES && this.#free.length < PART_BUFFERS) this.#free.push(m.buffer);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #drain(): Promise<void> {
    this.#running = true;
    for (let job = this.#queue.shift(); job; job = this.#queue.shift()) {
      this.#job = job;
      try {
        await this.#run(job);
        this.#ends.push({ n: job.n });
      } catch (e) {
        // What the job sent stays sent (its files settle with the error); the reply ends it.
        this.#ends.push(errorReply(job.n, e));
      } finally {
        this.#cancelled.delete(job.n);
        this.#job = undefined;
      }
      if (this.#queue.length === 0 || this.#ends.length >= 64) this.#send();
    }
    this.#running = false;
  }

  async #run(job: FileJob & { n: number }): Promise<void> {
    this.#chunker ??= (await loadChunker()).create({
      ...this.#config.chunking.chunker,
      gear: keyedGearTable(this.#config.chunking.chunkerKey),
    });
    for (let f = 0; f < job.files.length; f++) {
      this.#throwIfCancelled();
      try {
        const size = await this.#file(job.n, f, job.files[f]!.path);
        this.#part.done.push({ job: job.n, f, size });
      } catch (e) {
        if (!isFileSystemError(e)) throw e;
        const error: FileError = { message: e.message };
        if (typeof e.code === 'string') error.code = e.code;
        this.#part.done.push({ job: job.n, f, error });
      }
      this.#part.first ??= job.n;
    }
  }

  /** Reads, chunks and seals one file; returns the bytes read. */
  async #file(job: number, f: number, path: string): Promise<number> {
    const chunker = this.#chunker!;
    const buf = this.#read;
    const visit = (c: Uint8Array) => this.#chunk(job, f, c);
    const fd = openSync(path, READ_FLAGS);
    let size = 0;
    try {
      // As fsSource: the first read is synchronous (small files come from the page cache in
      // microseconds); after a full buffer the next one is not, so messages are handled.
      let n = readSync(fd, buf, 0, READ_BYTES, null);
      while (n > 0) {
        size += n;
        chunker.pushViews(buf.subarray(0, n), visit);
        this.#collect(n);
        this.#throwIfCancelled();
        const wait = this.#room();
        if (wait) await wait;
        n = n < READ_BYTES ? readSync(fd, buf, 0, READ_BYTES, null) : await readAsync(fd, buf);
      }
      chunker.finishViews(visit);
      return size;
    } catch (e) {
      chunker.finish(); // resets it for the next file
      throw e;
    } finally {
      closeSync(fd);
    }
  }

  /** Identifies, compresses and seals a chunk (a view lent by the chunker) into the part. */
  #chunk(job: number, f: number, plain: Uint8Array): void {
    const { key, chunking } = this.#config;
    const need = plain.length + SEAL_OVERHEAD;
    const p = this.#part;
    if (p.out && p.at + need > p.out.length) this.#send();
    p.out ??= this.#buffer(need);
    const id = nativeCrypto.hmacSha256(chunking.idKey, plain);
    const { codec: used, bytes } = compressAutoSync(this.#codec, plain);
    const nonce = nativeCrypto.randomBytes(NONCE_LENGTH);
    const at = p.at;
    const end = at + bytes.length + SEAL_OVERHEAD;
    p.out.set(nonce, at);
    nativeCrypto.xchachaSealInto(
      key,
      nonce,
      bytes,
      AAD.blob('data', id),
      p.out.subarray(at + NONCE_LENGTH, end),
    );
    p.add(job, f, id, plain.length, used, end);
  }

  /** A part buffer with room for `need` bytes: a pooled one, else a new one. */
  #buffer(need: number): Uint8Array {
    this.#held++;
    if (need > PART_BYTES) return new Uint8Array(need);
    return new Uint8Array(this.#free.pop() ?? new ArrayBuffer(PART_BYTES));
  }

  /**
   * Waits, when every part buffer is out, until the calling thread hands one back. The part
   * being filled is not sent first: the calling thread then holds at least `PART_BUFFERS - 1`
   * parts, and every one but the last it added to a pack is written without waiting for more
   * (sending partial parts here cost ~5,000 extra messages on the mixed tree, measured).
   */
  #room(): Promise<void> | undefined {
    return this.#held < PART_BUFFERS ? undefined : this.#waitForBuffer();
  }

  async #waitForBuffer(): Promise<void> {
    while (this.#held >= PART_BUFFERS) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#throwIfCancelled();
    }
  }

  /**
   * Posts the part being filled (as a reply of the running job, or of the first job it ends) and
   * the final replies of the jobs it completes, in one message, moving its buffer.
   */
  #send(): void {
    const p = this.#part;
    const ends = this.#ends;
    this.#ends = [];
    const n = this.#job?.n ?? p.first ?? ends[0]?.n;
    const replies: WorkerReply[] = [];
    const moves: ArrayBuffer[] = [];
    if (n !== undefined && (p.count > 0 || p.done.length > 0)) {
      const part: FilePart = {
        n,
        more: true,
        part: true,
        count: p.count,
        meta: p.meta.slice(0, p.count * META),
        sealed: p.out ? p.out.subarray(0, p.at) : EMPTY,
        done: p.done,
      };
      replies.push(part);
      if (p.out) moves.push(p.out.buffer as ArrayBuffer);
      p.reset();
    }
    replies.push(...ends);
    if (replies.length > 0) this.#post(replies, moves);
  }

  #throwIfCancelled(): void {
    const job = this.#job;
    if (job && this.#cancelled.has(job.n)) throw new KluisError('ABORTED', 'file job cancelled');
  }
}

const EMPTY = new Uint8Array(0);

type SyncCodec = { readonly id: number; compress(data: Uint8Array): Uint8Array };

/** An error of the file system (opening or reading a file), as opposed to a fault of this code. */
function isFileSystemError(e: unknown): e is Error & { code?: unknown } {
  return e instanceof Error && typeof (e as { syscall?: unknown }).syscall === 'string';
}

function readAsync(fd: number, buf: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buf, 0, buf.length, null, (err, n) => (err ? reject(err) : resolve(n)));
  });
}
