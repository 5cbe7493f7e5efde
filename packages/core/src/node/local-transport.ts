import { resolve } from 'node:path';
import { throwIfAborted } from '../errors';
import {
  type AbortOptions,
  assertKey,
  assertPrefix,
  type ObjectInfo,
  type ObjectWriter,
  type Transport,
} from '../transport';
import { fsError, pathOf } from './_local-transport-fs';
import { openObjectWriter } from './_local-transport-io';
import { deleteObject, getObject, putError, putObject, statObject } from './_local-transport-ops';
import { listObjects, removeStaleTemps } from './_local-transport-walk';
import type { CleanupOptions, CleanupResult } from './local-cleanup';

/** Options of {@link localTransport}. */
export interface LocalTransportOptions {
  /** Directory holding the objects; created on the first `put`. Relative paths resolve against the working directory. */
  root: string;
  /**
   * Flush every written file and its directory entry to the device before `put` resolves, so a
   * completed `put` survives a power loss. Default `true`. Turn it off only for scratch data.
   */
  fsync?: boolean;
  /**
   * Temporary files older than this, in ms, are crash leftovers: the first write through this
   * transport (`put` or `openWriter`) removes them first, once. Default 1 hour; `Infinity` turns
   * it off. A writer in progress refreshes its temporary file's time every minute, so any age of
   * a few minutes or more never takes a live write's file, in this process or another.
   */
  staleTempAgeMs?: number;
}

/**
 * A {@link Transport} over a local directory, with maintenance for that directory.
 *
 * @example
 * ```ts
 * const t: LocalTransport = localTransport({ root: '/srv/backup' });
 * await t.removeStaleTempFiles({ olderThanMs: 3600_000 });
 * ```
 */
export interface LocalTransport extends Transport {
  /** The absolute path of the root directory. */
  readonly root: string;
  /** Always present here: a temporary file in `root`, moved into place by `commit`. */
  openWriter(options?: AbortOptions): Promise<ObjectWriter>;
  /**
   * Removes temporary files left by writes that never finished (the process crashed or was
   * killed between creating its temporary file and renaming it). They are never listed nor read,
   * so leaving them costs only disk space. Files younger than `olderThanMs` may belong to a write
   * in progress (in this or another process) and are kept; a writer in progress refreshes its
   * file's time every minute, so any age of a few minutes is safe. The first write through the
   * transport runs it once by itself (see `staleTempAgeMs`).
   */
  removeStaleTempFiles(options?: CleanupOptions): Promise<CleanupResult>;
}

/**
 * A transport storing each object as a file under `root`, for repositories on a local disk, a
 * mounted volume or a NAS. Layout (restic's): key `k` is the file `root/k`, except `data/<id>`,
 * which is stored at `root/data/<first two characters of id>/<id>` so no directory grows huge; the
 * key stays `data/<id>`.
 *
 * Guarantees, on any POSIX file system with hard links (ext4, xfs, btrfs, zfs, apfs, NTFS):
 * - atomic writes: each `put` writes a temporary file `.kluis-tmp-<random>` in the target
 *   directory, fsyncs it, renames it into place and fsyncs the directory; readers and `list` never
 *   see a partial object, and temporary files are never listed; those a killed process left are
 *   removed by the first write of a later transport once they are an hour old (`staleTempAgeMs`,
 *   `removeStaleTempFiles`);
 * - create-only `put(…, { ifAbsent: true })` hard-links the temporary file to the target, which
 *   fails atomically if the target exists: of racing writers exactly one wins;
 * - range reads are positioned reads of just that range;
 * - an aborted `put` removes its temporary file and leaves no object;
 * - `openWriter` writes a temporary file in `root` piece by piece; `commit` fsyncs it and moves it
 *   into place as `put` does (so `root` and its subdirectories must be one file system), `abort`
 *   removes it;
 * - keys are checked with `assertKey` first, so no key can reach outside `root`.
 *
 * A key cannot be both an object and a directory of other objects (`a` and `a/b`): the second
 * `put` fails with `ALREADY_EXISTS`. The repository layout never does this. Deletes are not
 * fsynced: after a crash a deleted object may reappear, which the engine tolerates.
 *
 * @example
 * ```ts
 * import { localTransport } from '@kluis/core/node';
 *
 * const transport = localTransport({ root: '/srv/backup/repo' });
 * await transport.put('config', bytes, { ifAbsent: true });
 * for await (const { key, size } of transport.list('snapshots/')) console.log(key, size);
 * ```
 */
export function localTransport(options: LocalTransportOptions): LocalTransport {
  if (typeof options?.root !== 'string' || options.root === '') {
    throw new TypeError('localTransport: `root` must be a non-empty directory path');
  }
  const root = resolve(options.root);
  const fsync = options.fsync ?? true;
  const staleAge = options.staleTempAgeMs ?? 3_600_000;
  if (!(staleAge >= 0)) throw new RangeError('localTransport: `staleTempAgeMs` must be a number ≥ 0');
  // Opportunistic: a leftover that cannot be removed (permissions) must not fail the write.
  let cleaned: Promise<unknown> | undefined;
  const cleanOnce = (): Promise<unknown> =>
    (cleaned ??=
      staleAge === Number.POSITIVE_INFINITY
        ? Promise.resolve()
        : removeStaleTemps(root, staleAge, undefined).catch(() => undefined));
  const at = (key: string, o?: AbortOptions): string => {
    assertKey(key);
    throwIfAborted(o?.signal);
    return pathOf(root, key);
  };
  return {
    name: `local:${root}`,
    root,
    capabilities: { rangeRead: true, conditionalPut: true, listConsistency: 'strong', maxConcurrency: 16 },
    stat: async (key, o) => statObject(at(key, o), key, root),
    get: async (key, o) => getObject(at(key, o), key, root, o),
    async put(key, body, o) {
      const path = at(key, o);
      await cleanOnce();
      await putObject(path, key, root, body, { ifAbsent: o?.ifAbsent === true, fsync, signal: o?.signal });
    },
    delete: async (key, o) => deleteObject(at(key, o), key, root),
    async openWriter(o) {
      throwIfAborted(o?.signal);
      await cleanOnce();
      try {
        return await openObjectWriter(
          root,
          fsync,
          (key) => at(key),
          (e, key) => putError(e, key, root),
        );
      } catch (e) {
        throw fsError(e, `cannot start an object in ${root}`);
      }
    },
    list(prefix, o) {
      assertPrefix(prefix);
      return guardedList(root, prefix, o);
    },
    removeStaleTempFiles: (o = {}) => removeStaleTemps(root, o.olderThanMs ?? 3_600_000, o.signal),
  };
}

async function* guardedList(root: string, prefix: string, o?: AbortOptions): AsyncIterable<ObjectInfo> {
  throwIfAborted(o?.signal);
  yield* listObjects(root, prefix, o?.signal);
}
