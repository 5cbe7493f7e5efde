import { KluisError, throwIfAborted } from '../errors';
import type { Repository } from './repository';

/** What {@link tagSnapshots} does to each snapshot's tags. */
export interface TagChange {
  /** Tags added (kept once; order of first appearance). */
  add?: string[];
  /** Tags removed. */
  remove?: string[];
  /** Replaces all tags (before `add` and `remove` apply). */
  set?: string[];
  signal?: AbortSignal;
}

/** One snapshot rewritten by {@link tagSnapshots}. */
export interface TagResult {
  /** The snapshot's ID before. */
  from: string;
  /** Its new ID (the same as `from` when its tags did not change). */
  to: string;
  tags: string[];
}

/**
 * Adds, removes or replaces tags of snapshots. A snapshot file is named by the hash of its bytes,
 * so it is never changed in place: the new tags go into a new snapshot file recording the old ID
 * as `original` (kept from an earlier rewrite), and the old file is removed only once the new one
 * is stored — a crash in between leaves both, never neither. Snapshots whose tags do not change
 * are left alone. The tree, times and statistics are unchanged, so no data is read or written.
 *
 * @example
 * ```ts
 * const latest = await repo.snapshots.resolve('latest');
 * const [r] = await tagSnapshots(repo, [latest.id], { add: ['keep'], remove: ['daily'] });
 * console.log(`${r!.from} is now ${r!.to}`);
 * ```
 */
export async function tagSnapshots(repo: Repository, ids: string[], change: TagChange): Promise<TagResult[]> {
  if (!change.add?.length && !change.remove?.length && change.set === undefined)
    throw new TypeError('tagSnapshots needs tags to add, remove or set');
  for (const t of [...(change.add ?? []), ...(change.remove ?? []), ...(change.set ?? [])])
    if (t === '' || t.length > 1024)
      throw new KluisError(
        'INVALID_CONFIG',
        `tag ${JSON.stringify(t.slice(0, 40))} must be 1 to 1024 characters`,
      );
  const results: TagResult[] = [];
  for (const id of new Set(ids)) {
    throwIfAborted(change.signal);
    const { snapshot } = await repo.snapshots.load(id, change.signal);
    const tags = newTags(snapshot.tags, change);
    if (tags.length === snapshot.tags.length && tags.every((t, i) => t === snapshot.tags[i])) {
      results.push({ from: id, to: id, tags });
      continue;
    }
    const to = await repo.snapshots.save(
      { ...snapshot, tags, original: snapshot.original ?? id },
      change.signal,
    );
    if (to !== id) await repo.snapshots.remove(id, change.signal);
    results.push({ from: id, to, tags });
  }
  return results;
}

function newTags(tags: string[], change: TagChange): string[] {
  const removed = new Set(change.remove ?? []);
  const out: string[] = [];
  for (const t of [...(change.set ?? tags), ...(change.add ?? [])])
    if (!removed.has(t) && !out.includes(t)) out.push(t);
  return out;
}
