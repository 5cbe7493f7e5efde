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

/** A file of the job finished after the part's chunks: bytes read, or why it stopped. */
export type FileDone = { f: number; size: number; error?: undefined } | { f: number; error: FileError };

/**
 * One part of a file job's answer (`more` until the last). Chunk i belongs to file `file[i]` of
 * the job; its ID is `ids[32i, 32i + 32)`, its sealed bytes `sealed[ends[i - 1], ends[i])`
 * (from 0 for the first). `sealed` is a view from the start of a pooled buffer, handed back
 * with a `give` message once every chunk in it is stored.
 */
export interface FilePart extends WorkerReply {
  count: number;
  file: Uint32Array;
  ids: Uint8Array;
  raw: Uint32Array;
  codecs: Uint8Array;
  ends: Uint32Array;
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

/** A part being filled. */
class PartBuilder {
  out: Uint8Array | undefined;
  at = 0;
  count = 0;
  file = new Uint32Array(64);
  ids = new Uint8Array(64 * 32);
  raw = new Uint32Array(64);
  codecs = new Uint8Array(64);
  ends = new Uint32Array(64);
  done: FileDone[] = [];

  add(f: number, id: Uint8Array, rawLength: number, codec: number, end: number): void {
    const i = this.count++;
    if (i === this.file.length) this.#grow();
    this.file[i] = f;
    this.ids.set(id, i * 32);
    this.raw[i] = rawLength;
    this.codecs[i] = codec;
    this.ends[i] = end;
    this.at = end;
  }

  #grow(): void {
    const grow = <T extends Uint8Array | Uint32Array>(a: T, make: (n: number) => T): T => {
      const b = make(a.length * 2);
      b.set(a);
      return b;
    };
    this.file = grow(this.file, (n) => new Uint32Array(n));
    this.ids = grow(this.ids, (n) => new Uint8Array(n));
    this.raw = grow(this.raw, (n) => new Uint32Array(n));
    this.codecs = grow(this.codecs, (n) => new Uint8Array(n));
    this.ends = grow(this.ends, (n) => new Uint32Array(n));
  }
}

/**
 * The thread's side of whole-file work. Jobs run one after the other; `give` and `cancel`
 * messages are handled as they come (the thread yields to its event loop between large reads
 * and while it waits for a part buffer).
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
  #part: PartBuilder | undefined;
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
        this.#send(false);
      } catch (e) {
        this.#drop();
        this.#post([errorReply(job.n, e)], []);
      } finally {
        this.#cancelled.delete(job.n);
        this.#job = undefined;
      }
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
        const size = await this.#file(f, job.files[f]!.path);
        this.#builder().done.push({ f, size });
      } catch (e) {
        if (!isFileSystemError(e)) throw e;
        const error: FileError = { message: e.message };
        if (typeof e.code === 'string') error.code = e.code;
        this.#builder().done.push({ f, error });
      }
    }
  }

  /** Reads, chunks and seals one file; returns the bytes read. */
  async #file(f: number, path: string): Promise<number> {
    const chunker = this.#chunker!;
    const buf = this.#read;
    const visit = (c: Uint8Array) => this.#chunk(f, c);
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
  #chunk(f: number, plain: Uint8Array): void {
    const { key, chunking } = this.#config;
    const need = plain.length + SEAL_OVERHEAD;
    let p = this.#builder();
    if (p.out && p.at + need > p.out.length) {
      this.#send(true);
      p = this.#builder();
    }
    if (!p.out) p.out = this.#buffer(need);
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
    p.add(f, id, plain.length, used, end);
  }

  #builder(): PartBuilder {
    this.#part ??= new PartBuilder();
    return this.#part;
  }

  /** A part buffer with room for `need` bytes: a pooled one, else a new one. */
  #buffer(need: number): Uint8Array {
    this.#held++;
    if (need > PART_BYTES) return new Uint8Array(need);
    return new Uint8Array(this.#free.pop() ?? new ArrayBuffer(PART_BYTES));
  }

  /**
   * Waits, when every part buffer is out, until the calling thread hands one back; the part
   * being filled is sent first (it may hold what the calling thread needs to finish a pack).
   */
  #room(): Promise<void> | undefined {
    if (this.#held < PART_BUFFERS) return undefined;
    if (this.#part?.out) this.#send(true);
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

  /** Posts the part being filled (the job's last with `more` false), moving its buffers. */
  #send(more: boolean): void {
    const job = this.#job!;
    const p = this.#part ?? new PartBuilder();
    this.#part = undefined;
    const k = p.count;
    const reply: FilePart = {
      n: job.n,
      count: k,
      file: p.file.subarray(0, k),
      ids: p.ids.subarray(0, k * 32),
      raw: p.raw.subarray(0, k),
      codecs: p.codecs.subarray(0, k),
      ends: p.ends.subarray(0, k),
      sealed: p.out ? p.out.subarray(0, p.at) : new Uint8Array(0),
      done: p.done,
    };
    if (more) reply.more = true;
    const moves = [p.file.buffer, p.ids.buffer, p.raw.buffer, p.codecs.buffer, p.ends.buffer];
    if (p.out) moves.push(p.out.buffer as ArrayBuffer);
    this.#post([reply], moves);
  }

  /** Forgets the part being filled (its job failed or was cancelled), keeping its buffer. */
  #drop(): void {
    const out = this.#part?.out;
    this.#part = undefined;
    if (out) this.control({ kind: 'give', buffer: out.buffer as ArrayBuffer });
  }

  #throwIfCancelled(): void {
    const job = this.#job;
    if (job && this.#cancelled.has(job.n)) throw new KluisError('ABORTED', 'file job cancelled');
  }
}

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
