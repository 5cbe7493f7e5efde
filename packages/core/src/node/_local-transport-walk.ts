import { lstat, opendir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { throwIfAborted } from '../errors';
import type { ObjectInfo } from '../transport';
import { diskSegments, errno, fsError, keyOf, shardMatches, TEMP_PREFIX } from './_local-transport-fs';
import type { CleanupResult } from './local-cleanup';

/** A regular file found under root: its path segments relative to root, and its size. */
interface Found {
  segments: string[];
  size: number;
  mtimeMs: number;
}

/**
 * Every regular file under `root/<start…>`, depth first, with its size. Directories whose name
 * starts with `.` are skipped; symbolic links are never followed. Entries that vanish while the
 * walk runs (a concurrent delete) are skipped; a missing start directory yields nothing.
 * `descend(segments)` prunes directories, `want(name)` picks files.
 */
async function* walk(
  root: string,
  start: string[],
  signal: AbortSignal | undefined,
  descend: (segments: string[]) => boolean,
  want: (name: string) => boolean,
): AsyncGenerator<Found> {
  let dir: Awaited<ReturnType<typeof opendir>>;
  try {
    dir = await opendir(join(root, ...start));
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return;
    throw fsError(e, `cannot list ${join(root, ...start)}`);
  }
  for await (const entry of dir) {
    throwIfAborted(signal);
    const segments = [...start, entry.name];
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && descend(segments))
        yield* walk(root, segments, signal, descend, want);
    } else if (entry.isFile() && want(entry.name)) {
      const info = await lstat(join(root, ...segments)).catch((e: unknown) => {
        if (errno(e) === 'ENOENT') return undefined;
        throw fsError(e, `cannot stat ${join(root, ...segments)}`);
      });
      if (info?.isFile()) yield { segments, size: info.size, mtimeMs: info.mtimeMs };
    }
  }
}

/**
 * The objects whose key starts with `prefix`: walks only the directory the prefix determines
 * (and, under `data/`, only the matching shards), skipping temporary and foreign files.
 */
export async function* listObjects(
  root: string,
  prefix: string,
  signal: AbortSignal | undefined,
): AsyncIterable<ObjectInfo> {
  const dirs = prefix.split('/');
  const partial = dirs.pop() ?? '';
  const start = diskSegments(dirs);
  const descend = (segments: string[]): boolean =>
    !(dirs.length === 1 && dirs[0] === 'data' && segments.length === 2) ||
    shardMatches(segments[1] ?? '', partial);
  const notTemp = (name: string): boolean => !name.startsWith('.');
  for await (const found of walk(root, start, signal, descend, notTemp)) {
    const key = keyOf(found.segments);
    if (key?.startsWith(prefix)) yield { key, size: found.size };
  }
}

/**
 * Removes temporary files (left by a process that crashed or was killed mid-write) last modified
 * at least `olderThanMs` ago. Younger ones may belong to a write in progress and are kept.
 */
export async function removeStaleTemps(
  root: string,
  olderThanMs: number,
  signal: AbortSignal | undefined,
): Promise<CleanupResult> {
  const cutoff = Date.now() - olderThanMs;
  const result: CleanupResult = { removed: 0, bytes: 0 };
  const isTemp = (name: string): boolean => name.startsWith(TEMP_PREFIX);
  for await (const found of walk(root, [], signal, () => true, isTemp)) {
    if (found.mtimeMs > cutoff) continue;
    await rm(join(root, ...found.segments), { force: true });
    result.removed++;
    result.bytes += found.size;
  }
  return result;
}
