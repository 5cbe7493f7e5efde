import { loadChunker } from '../../chunker/index';
import { KluisError } from '../../errors';
import type { Snapshot } from '../format/snapshot';
import type { Repository } from '../repository';
import { BackupRun } from './_run';
import type { BackupOptions } from './options';
import type { BackupSource } from './source';

/** Result of {@link backup}. */
export interface BackupResult {
  id: string;
  snapshot: Snapshot;
}

/**
 * Backs up a source into the repository and writes a snapshot. Files are chunked with FastCDC
 * (keyed gear table), deduplicated by keyed blob ID, compressed, encrypted and packed. With a
 * parent snapshot, unchanged files are not read. Unreadable entries are reported as warnings and
 * skipped. Aborting leaves the repository valid: uploaded packs are indexed and reused next time.
 *
 * @example
 * ```ts
 * const { id, snapshot } = await backup(repo, fsSource(['/home/me/docs']), { parent: 'latest', tags: ['daily'] });
 * ```
 */
export async function backup(
  repo: Repository,
  source: BackupSource,
  options: BackupOptions = {},
): Promise<BackupResult> {
  const started = new Date();
  await repo.blobs.loadIndex(options.signal, { tolerateDamage: true });
  await repo.blobs.recoverUnindexedPacks(options.signal);
  const factory = await loadChunker();
  const run = new BackupRun(repo, source, factory, options);
  const parent = await findParent(repo, source, options);
  let tree: string;
  try {
    tree = await run.rootTree(parent?.snapshot.tree);
  } finally {
    // Whatever happened, index what was uploaded so the next backup reuses it.
    await repo.blobs.flush().catch((e: unknown) => {
      if (!options.signal?.aborted) throw e;
    });
  }
  const time = options.time ?? started;
  const snapshot: Snapshot = {
    time: time.toISOString(),
    offsetMinutes: -time.getTimezoneOffset(),
    host: options.host ?? '',
    user: options.user ?? '',
    paths: source.paths,
    tags: options.tags ?? [],
    tree,
    ...(parent ? { parent: parent.id } : {}),
    complete: true,
    summary: { ...run.summary, started: started.toISOString(), finished: new Date().toISOString() },
    writer: options.writer ?? 'kluis',
  };
  const id = await repo.snapshots.save(snapshot, options.signal);
  return { id, snapshot };
}

async function findParent(repo: Repository, source: BackupSource, o: BackupOptions) {
  if (o.parent === undefined) return undefined;
  if (o.parent !== 'latest') return repo.snapshots.resolve(o.parent, {}, o.signal);
  try {
    return await repo.snapshots.resolve('latest', { host: o.host ?? '', paths: source.paths }, o.signal);
  } catch (e) {
    if (KluisError.is(e, 'NOT_FOUND')) return undefined;
    throw e;
  }
}
