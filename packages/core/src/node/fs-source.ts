import type { Stats } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import ignore from 'ignore';
import type { BackupSource, SourceEntry } from '../repo/source';

/** Options of {@link fsSource}. */
export interface FsSourceOptions {
  /** gitignore-style patterns, matched against paths that start with each root's name (e.g. `docs/*.tmp`, `node_modules/`). */
  exclude?: string[];
  /** Read buffer size (default 1 MiB: measured fastest for cold reads). */
  bufferSize?: number;
}

/**
 * A backup source over the local file system: regular files, directories and symlinks (other
 * types — sockets, devices, FIFOs — are skipped), with permission bits, mtime, ctime, inode and
 * ownership for change detection.
 *
 * @example
 * ```ts
 * const source = fsSource(['/home/me/docs', '/etc/hosts'], { exclude: ['*.tmp', 'node_modules/'] });
 * await backup(repo, source, { parent: 'latest' });
 * ```
 */
export function fsSource(paths: string[], options: FsSourceOptions = {}): BackupSource {
  const roots = new Map<string, string>();
  for (const p of paths) {
    const abs = resolve(p);
    const name = basename(abs) || 'root';
    if (roots.has(name))
      throw new TypeError(`two backup paths share the name ${JSON.stringify(name)}: back them up separately`);
    roots.set(name, abs);
  }
  const ig = ignore().add(options.exclude ?? []);
  const size = options.bufferSize ?? 1 << 20;
  const buffers: Uint8Array[] = [];
  const abs = (path: readonly string[]) => join(roots.get(path[0]!)!, ...path.slice(1));
  const excluded = (path: readonly string[], dir: boolean) => ig.ignores(path.join('/') + (dir ? '/' : ''));

  return {
    paths: paths.map((p) => resolve(p)),
    async roots() {
      const out: SourceEntry[] = [];
      for (const [name, p] of roots) {
        const e = await entry(name, p, await lstat(p));
        if (e) out.push(e);
      }
      return out;
    },
    async list(path) {
      const dir = abs(path);
      const names = (await readdir(dir)).sort();
      const out: SourceEntry[] = [];
      for (const name of names) {
        let st: Stats;
        try {
          st = await lstat(join(dir, name));
        } catch {
          continue; // vanished between readdir and lstat
        }
        if (excluded([...path, name], st.isDirectory())) continue;
        const e = await entry(name, join(dir, name), st);
        if (e) out.push(e);
      }
      return out;
    },
    async *read(path, signal) {
      const fh = await open(abs(path), 'r');
      // Buffers are reused across files: allocating (and zeroing) 1 MiB per file cost more
      // system time than reading small files.
      const buf = buffers.pop() ?? new Uint8Array(size);
      try {
        for (;;) {
          signal?.throwIfAborted();
          const { bytesRead } = await fh.read(buf, 0, size, null);
          if (bytesRead === 0) break;
          yield buf.subarray(0, bytesRead);
        }
      } finally {
        if (buffers.length < 8) buffers.push(buf);
        await fh.close();
      }
    },
  };
}

async function entry(name: string, path: string, st: Stats): Promise<SourceEntry | undefined> {
  const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : undefined;
  if (!type) return undefined;
  const e: SourceEntry = {
    name,
    type,
    mode: st.mode & 0o7777,
    mtime: st.mtimeMs,
    ctime: st.ctimeMs,
    inode: st.ino,
    size: type === 'file' ? st.size : 0,
    uid: st.uid,
    gid: st.gid,
  };
  if (type === 'symlink') e.target = await readlink(path);
  return e;
}
