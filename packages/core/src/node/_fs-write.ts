// Writing restored files with few system calls. Internal: never re-exported.
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  ftruncateSync,
  futimesSync,
  lstatSync,
  open as openFd,
  openSync,
  renameSync,
  rmSync,
  write as writeFd,
  writeSync,
} from 'node:fs';
import { promisify } from 'node:util';
import { KluisError } from '../errors';
import type { TreeNode } from '../repo/format/tree';
import type { NativeFileWrite } from '../repo/store/blob-decoder';

/** Chunks up to this many bytes are written directly; larger ones through the thread pool. */
const DIRECT_WRITE = 256 << 10;

const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
/** A later piece of a file being restored: it exists, and is neither created nor truncated. */
const CONTINUE_FLAGS = constants.O_WRONLY | constants.O_NOFOLLOW;
const openAsync = promisify(openFd);
const writeAsync = promisify(writeFd);

/** How a file's bytes, mode and mtime are applied. */
export interface WriteOptions {
  modes: boolean;
  sparse: boolean;
}

/**
 * Files larger than this are written under their temporary name and renamed when complete, so a
 * file already there keeps its old content until then, and neither a failure nor a kill leaves a
 * partial file under the real name. Smaller ones are written in place (a rename per file costs
 * ~20-30 µs, up to a third more for a restore of many small files) and removed if their write
 * fails.
 */
export const VIA_TEMP_BYTES = 1 << 20;

/**
 * Writes a restored file: in place, or for one over {@link VIA_TEMP_BYTES} to `temp` and then
 * renamed to `path`; a write that fails removes what it created, so nothing partial is left
 * under the file's name. Creating it is the slow part (allocating an inode costs hundreds of
 * microseconds of kernel time on some file systems), so it starts on the thread pool at once and
 * overlaps with decoding the file's first chunks. Writes of small chunks, chmod, setting times and
 * closing take microseconds and are made directly: through the thread pool each would cost two
 * thread switches, more than the call itself. Times are set on the descriptor, so the path is
 * looked up once. The file is created with no permissions for others and gets its mode last.
 */
export async function writeFile(
  path: string,
  temp: string,
  node: TreeNode,
  chunks: AsyncIterable<Uint8Array>,
  o: WriteOptions,
): Promise<void> {
  if (node.size <= VIA_TEMP_BYTES) return writeAt(path, node, chunks, o);
  await writeAt(temp, node, chunks, o);
  try {
    placeSync(temp, path, o.modes);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

/** Writes a file at `path`; if anything fails once it is opened, removes it. */
async function writeAt(
  path: string,
  node: TreeNode,
  chunks: AsyncIterable<Uint8Array>,
  o: WriteOptions,
): Promise<void> {
  const opening = openAsync(path, WRITE_FLAGS, 0o600);
  opening.catch(() => {}); // awaited below, maybe after a chunk failed to decode
  let fd: number | undefined;
  let complete = false;
  try {
    let pos = 0;
    let end = 0; // end of the last bytes written; less than pos when the file ends in a hole
    for await (const c of chunks) {
      fd ??= await opening;
      if (!(o.sparse && isZero(c))) {
        await writeAll(fd, c, pos);
        end = pos + c.length;
      }
      pos += c.length;
    }
    fd ??= await opening;
    if (end < pos) ftruncateSync(fd, pos);
    if (o.modes) fchmodSync(fd, node.mode);
    futimesSync(fd, fsTime(node.mtime), fsTime(node.mtime));
    complete = true;
  } finally {
    if (fd === undefined) fd = await opening.catch(() => undefined);
    if (fd !== undefined) closeSync(fd);
    // Opened means created or truncated here: what is left is partial, and no one else's.
    if (!complete && fd !== undefined) rmSync(path, { force: true });
  }
}

/**
 * Writes a restored file, or one piece of it, from its plaintext chunks with synchronous calls:
 * the decoder threads' side of `BlobDecoder.writeFiles`, where blocking the thread blocks nothing
 * else. The same flags, holes, mode and times as {@link writeFile}. A file written in several
 * pieces goes to its `temp` (when it has one) and is renamed to its path after the last piece; a
 * file written at once goes in place. A piece that fails removes the file it was writing.
 */
export function writeFileSync(write: NativeFileWrite, chunks: readonly Uint8Array[]): void {
  const { file, from = 0, final = true } = write;
  const temp = file.temp !== undefined && !(from === 0 && final) ? file.temp : undefined;
  writePieceSync(write, temp ?? file.path, chunks);
  if (final && temp !== undefined) {
    try {
      placeSync(temp, file.path, file.mode !== undefined);
    } catch (e) {
      rmSync(temp, { force: true });
      throw e;
    }
  }
}

/**
 * Moves a complete file from `temp` to `path`. A symbolic link there is refused, as opening it
 * with `O_NOFOLLOW` would be (a rename would replace the link, never write through it); a file
 * there gives its permission bits when modes are not restored.
 */
function placeSync(temp: string, path: string, modes: boolean): void {
  const existing = lstatSync(path, { throwIfNoEntry: false });
  if (existing?.isSymbolicLink())
    throw new KluisError(
      'UNSAFE_PATH',
      `${path} is a symbolic link: not replaced by the restored file (remove it and restore again)`,
    );
  if (existing?.isFile() && !modes) chmodSync(temp, existing.mode & 0o7777);
  renameSync(temp, path);
}

function writePieceSync(write: NativeFileWrite, at: string, chunks: readonly Uint8Array[]): void {
  const { file, from = 0, final = true } = write;
  const fd = openSync(at, from === 0 ? WRITE_FLAGS : CONTINUE_FLAGS, 0o600);
  let complete = false;
  try {
    let pos = from;
    let end = from;
    for (const c of chunks) {
      if (!(file.sparse && isZero(c))) {
        for (let done = 0; done < c.length; ) done += writeSync(fd, c, done, c.length - done, pos + done);
        end = pos + c.length;
      }
      pos += c.length;
    }
    if (final) {
      if (end < pos) ftruncateSync(fd, pos);
      if (file.mode !== undefined) fchmodSync(fd, file.mode);
      futimesSync(fd, fsTime(file.mtime), fsTime(file.mtime));
    }
    complete = true;
  } finally {
    closeSync(fd);
    if (!complete) rmSync(at, { force: true });
  }
}

/**
 * A time (ms since the epoch) as the `utimes` family wants it. Node turns a negative number of
 * seconds into "now"; a `Date` keeps times before 1970.
 */
export function fsTime(ms: number): number | Date {
  return ms < 0 ? new Date(ms) : ms / 1000;
}

async function writeAll(fd: number, c: Uint8Array, pos: number): Promise<void> {
  if (c.length > DIRECT_WRITE) {
    for (let done = 0; done < c.length; )
      done += (await writeAsync(fd, c, done, c.length - done, pos + done)).bytesWritten;
    return;
  }
  for (let done = 0; done < c.length; ) done += writeSync(fd, c, done, c.length - done, pos + done);
}

/** Whether a chunk (of at least 4 KiB — smaller ones are not worth a hole) is all zeros. */
function isZero(b: Uint8Array): boolean {
  if (b.length < 4096) return false;
  const words = new BigUint64Array(b.buffer, b.byteOffset, b.byteOffset % 8 === 0 ? b.length >>> 3 : 0);
  if (words.length === 0) return b.every((x) => x === 0);
  for (let i = 0; i < words.length; i++) if (words[i] !== 0n) return false;
  for (let i = words.length * 8; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}
