import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, read } from 'node:fs';
import { type FileHandle, link, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { KluisError, throwIfAborted } from '../errors';
import type { ObjectWriter, PutOptions } from '../transport';
import { TEMP_PREFIX } from './_local-transport-fs';

/** Bytes per read or write call: large enough for speed, small enough to notice an abort soon. */
const CHUNK = 8 * 1024 * 1024;

/**
 * How often an object writer in progress touches its temporary file, so that a cleanup of stale
 * temporary files (by age; see `removeStaleTemps`) never takes the file of a live write, even one
 * waiting a long time between two pieces.
 */
export const TEMP_REFRESH_MS = 60_000;

/** How {@link writeAtomic} writes. */
export interface WriteOptions {
  ifAbsent: boolean;
  fsync: boolean;
  signal: AbortSignal | undefined;
}

/**
 * Writes `body` to `path` so that a reader sees no file or the whole file, never a prefix:
 * write a temporary file in the same directory, fsync it, then `rename` it over `path`
 * (replace) or hard-`link` it to `path` (create-only: `link` fails with `EEXIST` when `path`
 * exists, atomically, so of two racing writers exactly one wins), and fsync the directory.
 * The temporary file is removed on every path out, including an abort or an error.
 */
export async function writeAtomic(path: string, body: Uint8Array, o: WriteOptions): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `${TEMP_PREFIX}${randomBytes(12).toString('hex')}`);
  let tempExists = false;
  try {
    const fh = await open(temp, 'wx', 0o600);
    tempExists = true;
    try {
      await writeAll(fh, body, o.signal);
      if (o.fsync) await fh.sync();
    } finally {
      await fh.close();
    }
    throwIfAborted(o.signal);
    if (o.ifAbsent) {
      await link(temp, path);
    } else {
      await rename(temp, path);
      tempExists = false;
    }
  } finally {
    if (tempExists) await rm(temp, { force: true });
  }
  if (o.fsync) await syncDir(dir);
}

/**
 * Starts an object written piece by piece (`Transport.openWriter`): a temporary file in `root`,
 * filled with positioned writes (so overlapping writes land in call order), then fsynced and moved
 * to its key's path the way {@link writeAtomic} does. `place(key)` checks a key and gives its
 * path; `mapError` turns a failed commit into the transport's error.
 */
export async function openObjectWriter(
  root: string,
  fsync: boolean,
  place: (key: string) => string,
  mapError: (e: unknown, key: string) => unknown,
): Promise<ObjectWriter> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const temp = join(root, `${TEMP_PREFIX}${randomBytes(12).toString('hex')}`);
  const fh = await open(temp, 'wx', 0o600);
  return new LocalObjectWriter(fh, temp, fsync, place, mapError);
}

class LocalObjectWriter implements ObjectWriter {
  #size = 0;
  #writes = new Set<Promise<void>>();
  #failure: unknown;
  #finished = false;
  #refresh: ReturnType<typeof setInterval>;

  constructor(
    readonly fh: FileHandle,
    readonly temp: string,
    readonly fsync: boolean,
    readonly place: (key: string) => string,
    readonly mapError: (e: unknown, key: string) => unknown,
  ) {
    this.#refresh = setInterval(() => this.#touch(), TEMP_REFRESH_MS);
    this.#refresh.unref?.();
  }

  #touch(): void {
    const now = new Date();
    this.fh.utimes(now, now).catch(() => {}); // closed meanwhile: nothing left to keep alive
  }

  get size(): number {
    return this.#size;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#finished) return Promise.reject(new TypeError('write on a finished object writer'));
    const at = this.#size;
    this.#size += bytes.length;
    const w = writeAllAt(this.fh, bytes, at).catch((e: unknown) => {
      this.#failure ??= e;
      throw e;
    });
    const tracked = w.finally(() => this.#writes.delete(tracked)).catch(() => {});
    this.#writes.add(tracked);
    return w;
  }

  async commit(key: string, options: PutOptions = {}): Promise<void> {
    if (this.#finished) throw new TypeError('commit on a finished object writer');
    this.#finished = true;
    clearInterval(this.#refresh);
    let tempExists = true;
    try {
      const path = this.place(key);
      await Promise.all(this.#writes);
      if (this.#failure !== undefined) throw this.#failure;
      try {
        if (this.fsync) await this.fh.sync();
      } finally {
        await this.fh.close();
      }
      throwIfAborted(options.signal);
      const dir = dirname(path);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      if (options.ifAbsent) {
        await link(this.temp, path);
      } else {
        await rename(this.temp, path);
        tempExists = false;
      }
      if (this.fsync) await syncDir(dir);
    } catch (e) {
      throw KluisError.is(e) || e instanceof TypeError ? e : this.mapError(e, key);
    } finally {
      await this.#closeQuietly();
      if (tempExists) await rm(this.temp, { force: true });
    }
  }

  async abort(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    clearInterval(this.#refresh);
    await Promise.all(this.#writes);
    await this.#closeQuietly();
    await rm(this.temp, { force: true });
  }

  async #closeQuietly(): Promise<void> {
    await this.fh.close().catch(() => {});
  }
}

async function writeAllAt(fh: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

async function writeAll(fh: FileHandle, body: Uint8Array, signal: AbortSignal | undefined): Promise<void> {
  let done = 0;
  while (done < body.length) {
    throwIfAborted(signal);
    const { bytesWritten } = await fh.write(body, done, Math.min(CHUNK, body.length - done), done);
    done += bytesWritten;
  }
}

/** Makes a directory's entries (a rename, a link) durable. Not possible, nor needed, on Windows. */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Reads the object at `path`, or `length` bytes of it from `offset`, with positioned reads on one
 * file handle (never the whole file for a range). A range past the end is `INVALID_DATA`; a
 * malformed one is a `RangeError`. A directory is not an object: `NOT_FOUND`. `into`: see
 * `GetOptions.into`.
 */
export async function readObject(
  path: string,
  key: string,
  range: { offset: number; length: number } | undefined,
  signal: AbortSignal | undefined,
  into?: Uint8Array,
): Promise<Uint8Array> {
  // Opening, stat and closing are made directly: they take microseconds, and through the thread
  // pool each costs two thread switches (a restore makes thousands of range reads). The reads
  // themselves, which may wait for the disk, stay on the thread pool.
  const fd = openSync(path, 'r');
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new KluisError('NOT_FOUND', `object ${key} not found (a directory)`);
    const { offset, length } = range ? checkRange(key, info.size, range) : { offset: 0, length: info.size };
    // A caller's buffer (GetOptions.into) is read into when it is large enough: a fresh one is
    // page-faulted in as the kernel copies into it, at ~10 µs per 4 KiB page on some machines.
    const out =
      into instanceof Uint8Array && into.length >= length ? into.subarray(0, length) : new Uint8Array(length);
    let done = 0;
    while (done < length) {
      throwIfAborted(signal);
      const n = await readAt(fd, out, done, Math.min(CHUNK, length - done), offset + done);
      if (n === 0) throw new KluisError('INVALID_DATA', `object ${key} shrank while being read`);
      done += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

function readAt(fd: number, buf: Uint8Array, at: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buf, at, length, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

function checkRange(key: string, size: number, range: { offset: number; length: number }) {
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new RangeError(`invalid range ${offset}+${length} for ${key}`);
  }
  if (offset + length > size) {
    throw new KluisError(
      'INVALID_DATA',
      `range ${offset}+${length} is past the end of ${key} (${size} bytes)`,
    );
  }
  return { offset, length };
}
