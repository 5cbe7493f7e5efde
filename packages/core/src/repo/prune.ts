import { KluisError, throwIfAborted } from '../errors';
import { hex, unhex } from './_bytes';
import type { IndexPack } from './index-file';
import type { Repository } from './repository';
import { walkTree } from './walk';

/** Options of {@link prune}. */
export interface PruneOptions {
  /** How long a pack stays marked before it may be deleted. Default 24 h: a backup running concurrently finishes well within it. */
  graceMs?: number;
  /** Report what would happen without changing anything. */
  dryRun?: boolean;
  /** The current time (for tests). */
  now?: Date;
  signal?: AbortSignal;
}

/** What {@link prune} did (or would do). */
export interface PruneReport {
  /** Packs found unreferenced and marked now. */
  marked: string[];
  /** Packs deleted (marked at least `graceMs` earlier and still unreferenced). */
  deleted: string[];
  /** Marked packs that became referenced again and were unmarked. */
  unmarked: string[];
  /** Bytes of the deleted packs. */
  bytesFreed: number;
  /** Index files replaced by one consolidated index. */
  indexFilesReplaced: number;
}

/**
 * Removes data no snapshot references, in two phases and without blocking backups: a pack found
 * unreferenced is first *marked* (recorded in a new index file); a later prune deletes it only if
 * it was marked at least `graceMs` ago and is still unreferenced. Backups never deduplicate
 * against marked packs, so a backup running concurrently with prune never loses a blob.
 * Packs holding some referenced blobs are kept whole (no repacking in format v1).
 *
 * @example
 * ```ts
 * await forgetSnapshots(...); // remove snapshots first
 * const report = await prune(repo); // marks now, deletes on a run ≥ 24 h later
 * ```
 */
export async function prune(repo: Repository, options: PruneOptions = {}): Promise<PruneReport> {
  const now = (options.now ?? new Date()).getTime();
  const grace = options.graceMs ?? 24 * 3600_000;
  const signal = options.signal;
  await repo.blobs.loadIndex(signal);
  const used = await referencedBlobs(repo, signal);
  const packs = new Map<string, IndexPack>();
  for (const loc of repo.blobs.index.entries()) {
    const key = hex(loc.pack);
    const p = packs.get(key) ?? { id: loc.pack, blobs: [] };
    p.blobs.push({
      id: loc.id,
      type: loc.type,
      codec: loc.codec,
      offset: loc.offset,
      length: loc.length,
      rawLength: loc.rawLength,
    });
    packs.set(key, p);
  }
  const sizes = new Map<string, number>();
  for await (const o of repo.transport.list('data/', { signal })) sizes.set(o.key.slice(5), o.size);
  const report: PruneReport = { marked: [], deleted: [], unmarked: [], bytesFreed: 0, indexFilesReplaced: 0 };
  const garbage: { pack: Uint8Array; markedAt: number }[] = [];
  const keep: IndexPack[] = [];
  for (const [key, p] of packs) {
    const live = p.blobs.some((b) => used.has(hex(b.id)));
    const markedAt = repo.blobs.garbage.get(key);
    if (live) {
      keep.push(p);
      if (markedAt !== undefined) report.unmarked.push(key);
    } else if (markedAt !== undefined && now - markedAt >= grace) {
      report.deleted.push(key);
      report.bytesFreed += sizes.get(key) ?? 0;
      // Still listed (without its blobs) until it is gone: a prune killed before deleting it
      // leaves it marked, and the next prune deletes it instead of marking it afresh.
      garbage.push({ pack: p.id, markedAt });
    } else {
      keep.push(p);
      garbage.push({ pack: p.id, markedAt: markedAt ?? now });
      if (markedAt === undefined) report.marked.push(key);
    }
  }
  // Packs no index knows (an interrupted backup's, or one still running): marked like the others;
  // if a running backup indexes one later, the next prune finds it referenced and unmarks it.
  for (const [key, size] of sizes) {
    if (packs.has(key)) continue;
    const markedAt = repo.blobs.garbage.get(key);
    if (markedAt !== undefined && now - markedAt >= grace) {
      report.deleted.push(key);
      report.bytesFreed += size;
      garbage.push({ pack: unhex(key), markedAt });
    } else {
      garbage.push({ pack: unhex(key), markedAt: markedAt ?? now });
      if (markedAt === undefined) report.marked.push(key);
    }
  }
  if (options.dryRun) return report;
  const old = [...repo.blobs.indexFiles];
  report.indexFilesReplaced = old.length;
  await repo.blobs.writeIndexFile({ packs: keep, garbage, supersedes: old.map((i) => unhex(i)) });
  for (const id of old) await repo.transport.delete(`index/${id}`, { signal });
  for (const key of report.deleted) {
    throwIfAborted(signal);
    await repo.transport.delete(`data/${key}`, { signal });
  }
  return report;
}

async function referencedBlobs(repo: Repository, signal?: AbortSignal): Promise<Set<string>> {
  const used = new Set<string>();
  const seen = new Set<string>();
  for (const s of await repo.snapshots.list(signal)) {
    if (!repo.blobs.index.has(unhex(s.snapshot.tree))) {
      throw new KluisError(
        'INTEGRITY',
        `snapshot ${s.id} references missing tree ${s.snapshot.tree}: run \`kluis check\` before pruning`,
      );
    }
    used.add(s.snapshot.tree);
    for await (const { node } of walkTree(repo, s.snapshot.tree, { signal, seen })) {
      if (node.type === 'file') for (const c of node.content!) used.add(c);
      else if (node.type === 'dir') used.add(node.subtree!);
    }
  }
  return used;
}
