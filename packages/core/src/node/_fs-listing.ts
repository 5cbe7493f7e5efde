// Listing the directories of fsSource, with the cache its prefetch fills. Internal: never
// re-exported.
import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import ignore from 'ignore';
import type { SourceEntry } from '../repo/backup/source';

/**
 * Lists directories under named roots. Listing uses synchronous calls: metadata comes from the
 * page cache in microseconds, and the promise-based calls cost several times the CPU (measured on
 * a tree of 7,316 files); a backup spends the difference on chunking and hashing instead.
 */
export class FsListing {
  readonly #roots: ReadonlyMap<string, string>;
  readonly #ignore = ignore();
  readonly #excludes: boolean;
  readonly #cache = new Map<string, SourceEntry[]>();
  /** With one file system: each root's device, from the first listing under it. */
  readonly #devices: Map<string, number> | undefined;
  #held = 0;

  constructor(roots: ReadonlyMap<string, string>, exclude: readonly string[], oneFileSystem = false) {
    this.#roots = roots;
    this.#devices = oneFileSystem ? new Map() : undefined;
    this.#ignore.add([...exclude]);
    this.#excludes = exclude.length > 0;
  }

  /** The absolute path of a source path (root name first). */
  abs(path: readonly string[]): string {
    return join(this.#roots.get(path[0]!)!, ...path.slice(1));
  }

  async roots(): Promise<SourceEntry[]> {
    const out: SourceEntry[] = [];
    for (const [name, p] of this.#roots) {
      const e = entry(name, p, await lstat(p));
      if (e) out.push(e);
    }
    return out;
  }

  /** A directory's entries: from the prefetch cache (once) or listed now. */
  list(path: readonly string[]): SourceEntry[] {
    const key = path.join('/');
    const ahead = this.#cache.get(key);
    if (ahead === undefined) return this.#listNow(path);
    this.#cache.delete(key);
    this.#held -= ahead.length;
    return ahead;
  }

  /** See {@link FsSource.prefetch}. */
  async prefetch(until: Promise<unknown>, maxEntries: number): Promise<void> {
    let done = false;
    const stop = () => {
      done = true;
    };
    until.then(stop, stop);
    const stack = [...this.#roots.keys()].reverse().map((name) => [name]);
    while (stack.length > 0 && !done && this.#held < maxEntries) {
      const path = stack.pop()!;
      const key = path.join('/');
      if (this.#cache.has(key)) continue;
      let entries: SourceEntry[];
      try {
        entries = this.#listNow(path);
      } catch {
        continue; // the backup lists it again and reports the error
      }
      this.#cache.set(key, entries);
      this.#held += entries.length;
      for (const e of [...entries].reverse()) if (e.type === 'dir') stack.push([...path, e.name]);
      await new Promise((r) => setImmediate(r));
    }
  }

  #listNow(path: readonly string[]): SourceEntry[] {
    const dir = this.abs(path);
    const out: SourceEntry[] = [];
    if (this.#devices && this.#elsewhere(path, dir)) return out;
    for (const name of readdirSync(dir).sort()) {
      let st: Stats;
      try {
        st = lstatSync(join(dir, name));
      } catch {
        continue; // vanished between readdir and lstat
      }
      if (this.#excluded(path, name, st.isDirectory())) continue;
      try {
        const e = entry(name, join(dir, name), st);
        if (e) out.push(e);
      } catch {
        // a symlink that vanished before its target was read
      }
    }
    return out;
  }

  /** Whether `dir` is on another file system than its root (a mount point under it). */
  #elsewhere(path: readonly string[], dir: string): boolean {
    const root = path[0]!;
    let dev = this.#devices!.get(root);
    if (dev === undefined) {
      dev = lstatSync(this.#roots.get(root)!).dev;
      this.#devices!.set(root, dev);
    }
    return lstatSync(dir).dev !== dev;
  }

  #excluded(path: readonly string[], name: string, dir: boolean): boolean {
    return this.#excludes && this.#ignore.ignores([...path, name].join('/') + (dir ? '/' : ''));
  }
}

function entry(name: string, path: string, st: Stats): SourceEntry | undefined {
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
  if (type === 'symlink') e.target = readlinkSync(path);
  return e;
}
