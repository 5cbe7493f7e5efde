import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, constants, mkdirSync, utimesSync } from 'node:fs';
import { lutimes, mkdir, open, realpath, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { KluisError } from '../errors';
import { isSafeName } from '../repo/format/tree';
import type { RestoreTarget } from '../repo/restore/restore';
import { fsTime, type WriteOptions, writeFile } from './_fs-write';

/** Options of {@link fsTarget}. */
export interface FsTargetOptions {
  /** Restore permission bits (default true). */
  modes?: boolean;
  /** Leave holes for all-zero chunks (default true). */
  sparse?: boolean;
}

/**
 * A restore target writing into a directory on the local file system. Every path is checked to
 * stay inside `root` — names are single safe segments, directories are resolved with `realpath`
 * (a symlink planted in the target cannot redirect writes) and files are opened with
 * `O_NOFOLLOW` — so a tampered snapshot cannot write outside it (`UNSAFE_PATH`).
 *
 * A restore that fails leaves no partial file under a real name: a file over 1 MiB, or one
 * written in several pieces, goes to a temporary name in its directory
 * (`.kluis-restore-<random>-<name>`) and is renamed once complete (a file already there keeps its
 * old content until then; `discard` removes the temporary file of a file left unfinished); a
 * smaller file is written in place and removed if its write fails. Only a killed process can
 * leave a temporary file, or a small file cut short.
 *
 * @example
 * ```ts
 * await restore(repo, 'latest', fsTarget('/tmp/restore'), { verify: true });
 * ```
 */
export function fsTarget(root: string, options: FsTargetOptions = {}): RestoreTarget {
  const base = resolve(root);
  let realBase: string | undefined;
  const checked = new Set<string>();
  const write: WriteOptions = { modes: options.modes !== false, sparse: options.sparse !== false };
  const token = randomBytes(6).toString('hex');
  // Names are unique in a directory; a long one is hashed, so the temporary name still fits.
  const tempOf = (full: string): string => {
    const name = basename(full);
    const tail = name.length <= 100 ? name : createHash('sha256').update(name).digest('hex').slice(0, 32);
    return join(dirname(full), `.kluis-restore-${token}-${tail}`);
  };

  async function safe(path: readonly string[], parentOnly: boolean): Promise<string> {
    for (const n of path)
      if (!isSafeName(n)) throw new KluisError('UNSAFE_PATH', `refusing unsafe name ${JSON.stringify(n)}`);
    realBase ??= await mkdir(base, { recursive: true }).then(() => realpath(base));
    const full = join(base, ...path);
    const dir = join(base, ...path.slice(0, parentOnly ? -1 : undefined));
    if (!checked.has(dir)) {
      const real = await realpath(dir);
      if (real !== realBase && !real.startsWith(realBase + sep))
        throw new KluisError('UNSAFE_PATH', `${full} resolves outside ${base}`);
      checked.add(dir);
    }
    return full;
  }

  return {
    async dir(path) {
      const p = await safe(path, true);
      // Made directly: a mkdir takes microseconds, and through the thread pool it costs two
      // thread switches (a restore creates thousands of directories).
      let made = true;
      try {
        mkdirSync(p);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        made = false;
      }
      // A directory just created inside a checked parent is a real directory inside the root;
      // only one that already existed (maybe a planted symlink) needs resolving.
      if (made) checked.add(p);
      else await safe(path, false);
    },
    async file(path, node, chunks) {
      const p = await safe(path, true);
      await writeFile(p, tempOf(p), node, chunks, write);
    },
    async nativeFile(path, node) {
      const p = await safe(path, true);
      return {
        path: p,
        temp: tempOf(p),
        ...(write.modes ? { mode: node.mode } : {}),
        mtime: node.mtime,
        sparse: write.sparse,
      };
    },
    async discard(path) {
      await rm(tempOf(await safe(path, true)), { force: true });
    },
    async symlink(path, node) {
      const p = await safe(path, true);
      await rm(p, { force: true });
      await symlink(node.target!, p);
      await lutimes(p, fsTime(node.mtime), fsTime(node.mtime)).catch(() => {});
    },
    async finishDir(path, node) {
      const p = await safe(path, false);
      // Two quick calls, made directly rather than through the thread pool (see writeSmallFile).
      if (write.modes) chmodSync(p, node.mode);
      utimesSync(p, fsTime(node.mtime), fsTime(node.mtime));
    },
    async *read(path) {
      const p = await safe(path, true);
      const fh = await open(p, constants.O_RDONLY | constants.O_NOFOLLOW);
      const buf = new Uint8Array(1 << 20);
      try {
        for (;;) {
          const { bytesRead } = await fh.read(buf, 0, buf.length, null);
          if (bytesRead === 0) break;
          yield buf.slice(0, bytesRead);
        }
      } finally {
        await fh.close();
      }
    },
  };
}
