import { hex, unhex } from '../../_bytes';
import { Limiter } from '../../_limiter';
import { KluisError, throwIfAborted } from '../../errors';
import type { IndexPack } from '../format/index-file';
import { kindPrefix, objectKey, objectName, parseObjectKey } from '../format/layout';
import type { Repository } from '../repository';
import { walkTree } from '../walk';
import { planPrune } from './_plan';
import { repackBlobs } from './_repack';

/** Options of {@link prune}. */
export interface PruneOptions {
  /** How long a pack stays marked before it may be deleted. Default 24 h: a backup running concurrently finishes well within it. */
  graceMs?: number;
  /**
   * The share of the repository's pack bytes that may stay unused, from 0 to 1 (default 0.05, as
   * restic's `--max-unused 5%`): beyond it, the packs with the largest unused share are repacked
   * first until the rest is within it. `0` repacks every pack with an unused blob; `1` never
   * repacks (only packs with no referenced blob are removed).
   */
  maxUnused?: number;
  /** Bytes of packs one run may repack (read and rewrite). Default: no bound. */
  maxRepackBytes?: number;
  /** Report what would happen without changing anything. */
  dryRun?: boolean;
  /**
   * Plan as if these snapshots (full IDs) were removed: a forecast of what forgetting them would
   * free. Only with `dryRun`.
   */
  without?: readonly string[];
  /** The current time (for tests). */
  now?: Date;
  signal?: AbortSignal;
}

/** What {@link prune} did (or would do). */
export interface PruneReport {
  /** Whether this was a dry run (nothing changed). */
  dryRun: boolean;
  /** Packs marked now: unreferenced, or repacked. */
  marked: string[];
  /** Packs deleted (marked at least `graceMs` earlier, and every referenced blob in them held elsewhere). */
  deleted: string[];
  /** Marked packs that became referenced again and were unmarked. */
  unmarked: string[];
  /** Packs whose referenced blobs were copied into new packs (they are among `marked`). */
  repacked: string[];
  /** New packs written by repacking. */
  written: string[];
  /** Bytes of referenced blobs copied by repacking. */
  bytesRepacked: number;
  /** Bytes of the deleted packs. */
  bytesFreed: number;
  /**
   * Bytes a prune at least `graceMs` later will free: the packs marked now, less the packs
   * repacking wrote (estimated from the blobs to copy in a dry run).
   */
  bytesPending: number;
  /** Index files replaced by one consolidated index. */
  indexFilesReplaced: number;
  /** Objects the storage refused to delete (a retention lock, say); they stay marked and a later prune tries again. */
  refused: string[];
}

/**
 * Removes data no snapshot references, in two phases and without blocking backups. A pack with no
 * referenced blob is first *marked* (recorded in a new index file); while more than `maxUnused`
 * of the repository's pack bytes would stay unused, the packs with the largest unused share are
 * *repacked*: their referenced blobs are copied, as stored, into new packs, and they are marked
 * too. A later prune deletes a marked pack once it was marked at least
 * `graceMs` ago and every referenced blob in it is held by an unmarked pack; a marked pack that a
 * backup started to use meanwhile is unmarked instead. Backups never deduplicate against marked
 * packs, so a backup running concurrently with prune never loses a blob.
 *
 * Nothing is written before storage has shown that it allows deletes (a delete of an object that
 * does not exist): a credential that may not delete fails with `AUTH` and leaves nothing behind.
 *
 * @example
 * ```ts
 * await forget(repo, { ids: ['3f2a9c1b'] }); // or a policy: forget(repo, '7d')
 * const report = await prune(repo); // marks and repacks now, deletes on a run ≥ 24 h later
 * console.log(report.bytesFreed, report.bytesPending);
 * ```
 */
export async function prune(repo: Repository, options: PruneOptions = {}): Promise<PruneReport> {
  const signal = options.signal;
  const maxUnused = options.maxUnused ?? 0.05;
  if (!(maxUnused >= 0 && maxUnused <= 1)) throw new RangeError('maxUnused must be between 0 and 1');
  if (options.without?.length && !options.dryRun) throw new TypeError('prune: `without` needs `dryRun`');
  await repo.blobs.loadIndex(signal);
  const used = await referencedBlobs(repo, new Set(options.without), signal);
  const { packs, supersede: old } = await indexedPacks(repo, signal);
  const sizes = new Map<string, number>();
  for await (const o of repo.transport.list(kindPrefix('data'), { signal }))
    sizes.set(objectName('data', o.key), o.size);
  const plan = planPrune({
    packs,
    sizes,
    garbage: repo.blobs.garbage,
    used,
    now: (options.now ?? new Date()).getTime(),
    graceMs: options.graceMs ?? 24 * 3600_000,
    maxUnused,
    maxRepackBytes: options.maxRepackBytes ?? Number.POSITIVE_INFINITY,
  });
  const report: PruneReport = {
    dryRun: options.dryRun === true,
    marked: plan.newlyMarked,
    deleted: plan.remove.map((r) => r.key),
    unmarked: plan.unmarked,
    repacked: plan.repack.map((r) => r.key),
    written: [],
    bytesRepacked: 0,
    bytesFreed: plan.remove.reduce((n, r) => n + r.size, 0),
    bytesPending: plan.newlyMarked.reduce((n, k) => n + (sizes.get(k) ?? 0), 0),
    indexFilesReplaced: 0,
    refused: [],
  };
  for (const r of plan.repack) for (const b of r.copy) report.bytesRepacked += b.length;
  const changes = plan.newlyMarked.length + plan.unmarked.length + plan.remove.length;
  if (options.dryRun || (changes === 0 && old.length <= 1)) {
    report.bytesPending -= report.bytesRepacked;
    return report;
  }
  await probeDelete(repo, signal);
  const written = await repackBlobs(repo, plan.repack, signal);
  report.written = written.map((p) => hex(p.id));
  for (const w of written) report.bytesPending -= sizes.get(hex(w.id)) ?? packBytes(w);
  report.indexFilesReplaced = old.length;
  // New and kept packs first: a blob held by several packs is looked up in the first listed.
  await repo.blobs.writeIndexFile({
    packs: [...written, ...plan.keep, ...plan.marked.filter((m) => m.pack.blobs.length).map((m) => m.pack)],
    garbage: plan.marked.map((m) => ({ pack: m.pack.id, markedAt: m.markedAt })),
    supersedes: old.map((i) => unhex(i)),
  });
  for (const id of old) await deleteOrRefuse(repo, objectKey('index', id), report, signal);
  for (const key of report.deleted) {
    throwIfAborted(signal);
    await deleteOrRefuse(repo, objectKey('data', key), report, signal);
  }
  if (report.refused.length) {
    // Refused index files stay too, but only refused packs change what was deleted and freed.
    const refused = new Set(
      report.refused.map((k) => parseObjectKey(k)).flatMap((ref) => (ref.kind === 'data' ? [ref.name] : [])),
    );
    report.deleted = report.deleted.filter((k) => !refused.has(k));
    report.bytesFreed = plan.remove.reduce((n, r) => n + (refused.has(r.key) ? 0 : r.size), 0);
  }
  return report;
}

/**
 * Every pack the live index files list, with all its blobs (the in-memory index keeps one
 * location per blob), and the index files the new consolidated index must supersede: the live
 * ones and any superseded one still stored (left by a prune killed before deleting it, or whose
 * delete was refused). Superseding only the live ones would bring those back to life once their
 * superseder is deleted. Files written after the index was loaded (a concurrent backup's) are
 * neither, and stay.
 */
async function indexedPacks(
  repo: Repository,
  signal?: AbortSignal,
): Promise<{ packs: Map<string, IndexPack>; supersede: string[] }> {
  const live = repo.blobs.indexFiles;
  const stored: string[] = [];
  for await (const o of repo.transport.list(kindPrefix('index'), { signal }))
    stored.push(objectName('index', o.key));
  const limit = new Limiter(8);
  // Promise.all takes every read at once, so a failed one rejects here, never unhandled.
  const files = await Promise.all(
    stored.map((id) => limit.run(async () => ({ id, file: await repo.blobs.readIndexFile(id, signal) }))),
  );
  const superseded = new Set(files.flatMap(({ file }) => file.supersedes.map(hex)));
  const packs = new Map<string, IndexPack>();
  for (const { id, file } of files) {
    if (!live.has(id)) continue;
    for (const p of file.packs) {
      const key = hex(p.id);
      if (!packs.has(key)) packs.set(key, p);
    }
  }
  const supersede = new Set(live);
  for (const id of stored) if (superseded.has(id)) supersede.add(id);
  return { packs, supersede: [...supersede] };
}

/** Bytes of a pack from its entries (the header is small next to the blobs). */
function packBytes(p: IndexPack): number {
  let n = 0;
  for (const b of p.blobs) n += b.length;
  return n;
}

/**
 * Deletes an object that does not exist, before prune writes anything: storage that refuses
 * deletes to this credential says so now, and nothing is left behind.
 */
async function probeDelete(repo: Repository, signal?: AbortSignal): Promise<void> {
  const probe = objectKey('index', hex(repo.crypto.randomBytes(32)));
  try {
    await repo.transport.delete(probe, { signal });
  } catch (e) {
    if (!KluisError.is(e, 'AUTH')) throw e;
    throw new KluisError(
      'AUTH',
      'prune needs to delete, and the storage refuses deletes to this credential (an append-only backup account?): nothing was changed; run prune with a credential that may delete (a maintenance account)',
      { cause: e },
    );
  }
}

/** Deletes `key`; a refusal (a retention lock) is recorded, and the object stays marked for a later prune. */
async function deleteOrRefuse(repo: Repository, key: string, report: PruneReport, signal?: AbortSignal) {
  try {
    await repo.transport.delete(key, { signal });
  } catch (e) {
    if (!KluisError.is(e, 'AUTH')) throw e;
    report.refused.push(key);
  }
}

async function referencedBlobs(
  repo: Repository,
  without: ReadonlySet<string>,
  signal?: AbortSignal,
): Promise<Set<string>> {
  const used = new Set<string>();
  const seen = new Set<string>();
  for (const s of await repo.snapshots.list(signal)) {
    if (without.has(s.id)) continue;
    if (!repo.blobs.index.has(unhex(s.snapshot.tree))) {
      throw new KluisError(
        'INTEGRITY',
        `snapshot ${s.id} references missing tree ${s.snapshot.tree}: nothing is pruned while data is missing`,
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
