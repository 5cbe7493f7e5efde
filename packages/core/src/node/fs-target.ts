import { constants } from 'node:fs';
import { chmod, lutimes, mkdir, open, realpath, rm, symlink, utimes } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { KluisError } from '../errors';
import type { RestoreTarget } from '../repo/restore';
import { isSafeName } from '../repo/tree';

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
      await mkdir(p, { recursive: false }).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      await safe(path, false);
    },
    async file(path, node, chunks) {
      const p = await safe(path, true);
      const fh = await open(
        p,
        constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
        0o600,
      );
      try {
        let pos = 0;
        for await (const c of chunks) {
          if (!(options.sparse !== false && isZero(c))) await fh.write(c, 0, c.length, pos);
          pos += c.length;
        }
        await fh.truncate(pos);
        if (options.modes !== false) await fh.chmod(node.mode);
      } finally {
        await fh.close();
      }
      await utimes(p, node.mtime / 1000, node.mtime / 1000);
    },
    async symlink(path, node) {
      const p = await safe(path, true);
      await rm(p, { force: true });
      await symlink(node.target!, p);
      await lutimes(p, node.mtime / 1000, node.mtime / 1000).catch(() => {});
    },
    async finishDir(path, node) {
      const p = await safe(path, false);
      if (options.modes !== false) await chmod(p, node.mode);
      await utimes(p, node.mtime / 1000, node.mtime / 1000);
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

function isZero(b: Uint8Array): boolean {
  if (b.length < 4096) return false;
  const words = new BigUint64Array(b.buffer, b.byteOffset, b.byteOffset % 8 === 0 ? b.length >>> 3 : 0);
  if (words.length === 0) return b.every((x) => x === 0);
  for (let i = 0; i < words.length; i++) if (words[i] !== 0n) return false;
  for (let i = words.length * 8; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}
