// Writing restored files with few system calls. Internal: never re-exported.
import {
  closeSync,
  constants,
  fchmodSync,
  ftruncateSync,
  futimesSync,
  open as openFd,
  writeSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { TreeNode } from '../repo/tree';

/** Files up to this size are gathered in memory and written with direct (synchronous) calls. */
export const SMALL_FILE = 1 << 20;

const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
const openAsync = promisify(openFd);

/** How a file's bytes, mode and mtime are applied. */
export interface WriteOptions {
  modes: boolean;
  sparse: boolean;
}

/**
 * Writes a small file whose chunks are all in memory. Creating the file is the slow part (it
 * allocates an inode: hundreds of microseconds of kernel time on some file systems), so it runs on
 * the thread pool, several at once. Writing, chmod, setting times and closing take a few
 * microseconds each and run directly: through the thread pool each would cost two thread switches,
 * more than the call itself. The mtime is set on the descriptor, so the path is looked up once.
 */
export async function writeSmallFile(
  path: string,
  node: TreeNode,
  chunks: Uint8Array[],
  o: WriteOptions,
): Promise<void> {
  const fd = await openAsync(path, WRITE_FLAGS, 0o600);
  try {
    let pos = 0;
    let written = 0;
    for (const c of chunks) {
      if (!(o.sparse && isZero(c))) {
        for (let done = 0; done < c.length; ) done += writeSync(fd, c, done, c.length - done, pos + done);
        written = pos + c.length;
      }
      pos += c.length;
    }
    if (written < pos) ftruncateSync(fd, pos); // a trailing hole
    if (o.modes) fchmodSync(fd, node.mode);
    futimesSync(fd, node.mtime / 1000, node.mtime / 1000);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a large file as its chunks arrive: `head` (already read) first, then the rest of the
 * stream, leaving holes for all-zero chunks when `sparse`.
 */
export async function writeLargeFile(
  path: string,
  node: TreeNode,
  head: Uint8Array[],
  rest: AsyncIterator<Uint8Array>,
  o: WriteOptions,
): Promise<void> {
  const fh = await open(path, WRITE_FLAGS, 0o600);
  try {
    let pos = 0;
    let written = 0;
    const put = async (c: Uint8Array) => {
      if (!(o.sparse && isZero(c))) {
        await fh.write(c, 0, c.length, pos);
        written = pos + c.length;
      }
      pos += c.length;
    };
    for (const c of head) await put(c);
    for (let r = await rest.next(); !r.done; r = await rest.next()) await put(r.value);
    if (written < pos) await fh.truncate(pos);
    if (o.modes) await fh.chmod(node.mode);
    await fh.utimes(node.mtime / 1000, node.mtime / 1000);
  } finally {
    await fh.close();
  }
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
