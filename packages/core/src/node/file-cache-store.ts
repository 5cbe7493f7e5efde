import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertKey } from '../transport';
import type { CacheStore } from '../transport-wrappers/cache-store';

/** Options of {@link fileCacheStore}. */
export interface FileCacheStoreOptions {
  /** The directory of this repository's cache, e.g. `~/.cache/kluis/<repository id>`. Created on first write. */
  dir: string;
  /** Bytes kept at most; the entries used longest ago (by file mtime) go first. Default 1 GiB. */
  maxBytes?: number;
}

interface Entry {
  size: number;
  used: number;
}

/**
 * A {@link CacheStore} of files under `dir` (`<dir>/<kind>/<name>`), kept across runs and shared by
 * processes: each entry is written to a temporary file and renamed into place, so a reader sees a
 * whole entry or none, and a hit refreshes the file's mtime, which is what eviction goes by when the
 * entries exceed `maxBytes`. Files and directories are private to the user (0600 / 0700).
 *
 * @example
 * ```ts
 * import { homedir } from 'node:os';
 * import { join } from 'node:path';
 * const store = fileCacheStore({ dir: join(homedir(), '.cache/kluis', repo.config.id), maxBytes: 512 << 20 });
 * const cached = withCache(localTransport({ root }), store);
 * ```
 */
export function fileCacheStore(options: FileCacheStoreOptions): CacheStore {
  const { dir } = options;
  const maxBytes = options.maxBytes ?? 1 << 30;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`fileCacheStore: maxBytes must be a non-negative integer, got ${maxBytes}`);
  }
  let scan: Promise<Map<string, Entry>> | undefined;
  const entries = (): Promise<Map<string, Entry>> => {
    scan ??= scanDir(dir);
    return scan;
  };
  const path = (key: string): string => {
    assertKey(key);
    return join(dir, ...key.split('/'));
  };
  const evict = async (known: Map<string, Entry>): Promise<void> => {
    let total = 0;
    for (const e of known.values()) total += e.size;
    if (total <= maxBytes) return;
    const oldest = [...known].sort((a, b) => a[1].used - b[1].used);
    for (const [key, e] of oldest) {
      if (total <= maxBytes) return;
      known.delete(key);
      total -= e.size;
      await rm(path(key), { force: true });
    }
  };
  return {
    async get(key) {
      const file = path(key);
      let bytes: Uint8Array;
      try {
        const buf = await readFile(file);
        bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
      } catch {
        return undefined;
      }
      // The use that eviction goes by. The directory is scanned only once something is written.
      const now = new Date();
      await utimes(file, now, now).catch(() => undefined);
      if (scan) (await scan).set(key, { size: bytes.length, used: now.getTime() });
      return bytes;
    },
    async put(key, bytes) {
      const file = path(key);
      if (bytes.length > maxBytes) return false;
      const parent = join(file, '..');
      await mkdir(parent, { recursive: true, mode: 0o700 });
      const temp = join(parent, `.tmp-${randomBytes(8).toString('hex')}`);
      try {
        await writeFile(temp, bytes, { mode: 0o600 });
        await rename(temp, file);
      } finally {
        await rm(temp, { force: true });
      }
      const known = await entries();
      known.set(key, { size: bytes.length, used: Date.now() });
      await evict(known);
      return true;
    },
    async delete(key) {
      await rm(path(key), { force: true });
      if (scan) (await scan).delete(key);
    },
    async keys(prefix) {
      const slash = prefix.indexOf('/');
      const kind = slash < 0 ? undefined : prefix.slice(0, slash);
      const kinds = kind !== undefined ? [kind] : await names(dir);
      const out: string[] = [];
      for (const k of kinds) {
        for (const name of await names(join(dir, k))) {
          const key = `${k}/${name}`;
          if (key.startsWith(prefix)) out.push(key);
        }
      }
      return out;
    },
  };
}

/** Entry names in a directory (temporary files left out), none when it does not exist. */
async function names(path: string): Promise<string[]> {
  try {
    return (await readdir(path)).filter((n) => !n.startsWith('.'));
  } catch {
    return [];
  }
}

/** Every entry under `dir` with its size and last use (mtime). */
async function scanDir(dir: string): Promise<Map<string, Entry>> {
  const found = new Map<string, Entry>();
  for (const kind of await names(dir)) {
    for (const name of await names(join(dir, kind))) {
      try {
        const s = await stat(join(dir, kind, name));
        if (s.isFile()) found.set(`${kind}/${name}`, { size: s.size, used: s.mtimeMs });
      } catch {
        // removed meanwhile by another process
      }
    }
  }
  return found;
}
