import type { PolicyInput, RetentionResult } from '@kluis/retention';
import { KluisError, throwIfAborted } from '../../errors';
import { CONFIG_KEY, kindPrefix, objectName } from '../format/layout';
import type { Repository } from '../repository';
import { prune } from './prune';

/** What {@link forget} removes: the snapshots a retention policy does not keep, or exactly the snapshots named. */
export type ForgetSelection =
  | string
  | PolicyInput
  | {
      /** Snapshot IDs or unique prefixes of at least 4 hex digits. */
      ids: readonly string[];
    };

/** Options of {@link forget}. */
export interface ForgetOptions {
  /** Decide and explain, remove nothing. */
  dryRun?: boolean;
  /** The time a policy is evaluated at (default now). */
  now?: Date;
  /**
   * Capacity-aware retention (with a policy only): when the repository, once pruned, would not fit
   * in this many bytes, also remove the oldest snapshots the policy keeps — never one younger than
   * `protectMs`, never the newest — until the forecast fits. Forecasts are prune plans (bytes a
   * prune would really free, repacking included), not estimates from snapshot sizes.
   */
  fitBytes?: number;
  /** Snapshots younger than this are never removed to fit (default 7 days). */
  protectMs?: number;
  signal?: AbortSignal;
}

/** What capacity-aware retention did (see {@link ForgetOptions.fitBytes}). */
export interface ForgetCapacity {
  fitBytes: number;
  /** Bytes the repository holds now. */
  storedBytes: number;
  /** Bytes it will hold once pruned (after the grace period), without the removed snapshots. */
  forecastBytes: number;
  /** Snapshots the policy keeps but removed to fit, oldest first. */
  removedToFit: string[];
  /** False when even removing every unprotected snapshot does not fit. */
  fits: boolean;
}

/** What {@link forget} did (or would do). */
export interface ForgetResult {
  dryRun: boolean;
  /** Full IDs of the snapshots removed (or that would be). */
  removed: string[];
  /** Full IDs of the snapshots kept. */
  kept: string[];
  /** For a policy: every keep and every drop with its reasons (see `explainText` in `@kluis/retention`). */
  retention?: RetentionResult;
  /** With `fitBytes`: the forecast, and the snapshots removed beyond the policy to fit. */
  capacity?: ForgetCapacity;
}

/**
 * Removes snapshots: those a retention policy does not keep, or exactly the ones named by ID.
 * Their data stays until {@link prune}. Named IDs are resolved against the stored objects, not
 * their contents, so a snapshot whose file is damaged can be removed by ID. A policy's decisions
 * come back in `retention`, ready for `explainText` / `explainJson` of `@kluis/retention`.
 *
 * The first change is a delete: storage that refuses deletes (an append-only backup credential)
 * fails with `AUTH` before anything changed.
 *
 * @example
 * ```ts
 * const r = await forget(repo, '7d'); // or { rules: [{ kind: 'last', count: 3 }] }, or { ids: ['c75004ba'] }
 * console.log(`${r.removed.length} removed`);
 * await prune(repo); // frees the space they held, in two phases
 * ```
 */
export async function forget(
  repo: Repository,
  selection: ForgetSelection,
  options: ForgetOptions = {},
): Promise<ForgetResult> {
  const { signal } = options;
  let removed: string[];
  let kept: string[];
  let retention: RetentionResult | undefined;
  let capacity: ForgetCapacity | undefined;
  if (typeof selection === 'object' && 'ids' in selection) {
    if (options.fitBytes !== undefined) throw new TypeError('forget: fitBytes needs a policy, not IDs');
    const stored = await storedIds(repo, signal);
    const named = new Set(selection.ids.map((ref) => resolveStored(stored, ref)));
    removed = [...named];
    kept = stored.filter((id) => !named.has(id));
  } else {
    const all = await repo.snapshots.list(signal);
    const versions = all.map(({ id, snapshot: s }) => ({
      id,
      time: s.time,
      host: s.host,
      paths: s.paths,
      tags: s.tags,
      complete: s.complete,
    }));
    // Imported when a policy is applied: the retention library (and its calendar arithmetic) is
    // the largest dependency of this package, and no other operation needs it.
    const { applyPolicy } = await import('@kluis/retention');
    retention = applyPolicy(versions, selection, options.now ? { now: options.now } : {});
    removed = retention.drop.map((v) => v.id);
    kept = retention.keep.map((v) => v.id);
    if (options.fitBytes !== undefined) {
      capacity = await fitCapacity(repo, retention, removed, options);
      const extra = new Set(capacity.removedToFit);
      removed = [...removed, ...capacity.removedToFit];
      kept = kept.filter((id) => !extra.has(id));
    }
  }
  if (!options.dryRun) {
    for (const [done, id] of removed.entries()) {
      throwIfAborted(signal);
      try {
        await repo.snapshots.remove(id, signal);
      } catch (e) {
        if (!KluisError.is(e, 'AUTH')) throw e;
        const what = done === 0 ? 'nothing was removed' : `${done} of ${removed.length} were removed first`;
        throw new KluisError(
          'AUTH',
          `forget needs to delete snapshots, and the storage refuses deletes to this credential (an append-only backup account?): ${what}; run forget with a credential that may delete (a maintenance account)`,
          { cause: e },
        );
      }
    }
  }
  return {
    dryRun: options.dryRun === true,
    removed,
    kept,
    ...(retention ? { retention } : {}),
    ...(capacity ? { capacity } : {}),
  };
}

/** Removes the oldest unprotected kept snapshots, one at a time, until a prune plan says the rest fits. */
async function fitCapacity(
  repo: Repository,
  retention: RetentionResult,
  dropped: readonly string[],
  options: ForgetOptions,
): Promise<ForgetCapacity> {
  const { signal } = options;
  const fitBytes = options.fitBytes!;
  let storedBytes = 0;
  for (const prefix of [...(['data', 'index', 'snapshots', 'keys'] as const).map(kindPrefix), CONFIG_KEY])
    for await (const o of repo.transport.list(prefix, { signal })) storedBytes += o.size;
  const forecast = async (without: readonly string[]) => {
    const r = await prune(repo, { dryRun: true, without, graceMs: 0, ...(signal ? { signal } : {}) });
    return storedBytes - r.bytesFreed - Math.max(0, r.bytesPending);
  };
  const now = (options.now ?? new Date()).getTime();
  const protect = options.protectMs ?? 7 * 24 * 3600_000;
  // Oldest first; never the newest snapshot, never one inside the protected period.
  const candidates = [...retention.keep]
    .slice(1)
    .filter((v) => now - new Date(v.time).getTime() >= protect)
    .reverse()
    .map((v) => v.id);
  const removedToFit: string[] = [];
  let forecastBytes = await forecast(dropped);
  while (forecastBytes > fitBytes && candidates.length) {
    removedToFit.push(candidates.shift()!);
    forecastBytes = await forecast([...dropped, ...removedToFit]);
  }
  return { fitBytes, storedBytes, forecastBytes, removedToFit, fits: forecastBytes <= fitBytes };
}

async function storedIds(repo: Repository, signal?: AbortSignal): Promise<string[]> {
  const ids: string[] = [];
  for await (const o of repo.transport.list(kindPrefix('snapshots'), { signal }))
    ids.push(objectName('snapshots', o.key));
  return ids;
}

function resolveStored(stored: readonly string[], ref: string): string {
  if (!/^[0-9a-f]{4,64}$/.test(ref))
    throw new KluisError('NOT_FOUND', `${JSON.stringify(ref)} is not a snapshot ID (4 to 64 hex digits)`);
  const match = stored.filter((id) => id.startsWith(ref));
  if (match.length === 1) return match[0]!;
  throw new KluisError(
    'NOT_FOUND',
    match.length
      ? `snapshot prefix ${ref} is ambiguous (${match.length} snapshots): give more digits`
      : `no snapshot ${ref}`,
  );
}
