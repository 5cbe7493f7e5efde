import { chmodSync, constants, mkdirSync, utimesSync } from 'node:fs';
import { lutimes, mkdir, open, realpath, rm, symlink } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { KluisError } from '../errors';
import type { RestoreTarget } from '../repo/restore';
import { isSafeName } from '../repo/tree';
import { type WriteOptions, writeFile } from './_fs-write';

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
      await writeFile(await safe(path, true), node, chunks, write);
    },
    async nativeFile(path, node) {
      return {
        path: await safe(path, true),
        ...(write.modes ? { mode: node.mode } : {}),
        mtime: node.mtime,
        sparse: write.sparse,
      };
    },
    async symlink(path, node) {
      const p = await safe(path, true);
      await rm(p, { force: true });
      await symlink(node.target!, p);
      await lutimes(p, node.mtime / 1000, node.mtime / 1000).catch(() => {});
    },
    async finishDir(path, node) {
      const p = await safe(path, false);
      // Two quick calls, made directly rather than through the thread pool (see writeSmallFile).
      if (write.modes) chmodSync(p, node.mode);
      utimesSync(p, node.mtime / 1000, node.mtime / 1000);
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
