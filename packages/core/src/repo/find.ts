import { throwIfAborted } from '../errors';
import { globMatcher } from '../glob';
import type { TreeNode } from './format/tree';
import type { Repository } from './repository';
import type { SnapshotRef } from './store/snapshot-store';
import { walkTree } from './walk';

/** One match of {@link findFiles}. */
export interface FoundFile {
  /** The snapshot it was found in. */
  snapshot: SnapshotRef;
  /** `/`-separated path from the snapshot's tree root, as `ls` prints it. */
  path: string;
  node: TreeNode;
}

/** Options of {@link findFiles}. */
export interface FindOptions {
  /** Snapshots to search (default every readable snapshot, oldest first). */
  snapshots?: SnapshotRef[];
  ignoreCase?: boolean;
  signal?: AbortSignal;
}

/**
 * Searches snapshots for files, directories and symlinks whose name matches a shell-style
 * pattern (see {@link globMatcher}: `*.sql`; with a `/`, the whole path: `home/**\/.bashrc`), as
 * restic's `find` does. Matches come snapshot by snapshot, oldest first, in tree order. Memory
 * stays proportional to the depth of the trees, whatever the number of matches.
 *
 * @example
 * ```ts
 * for await (const { snapshot, path, node } of findFiles(repo, '*.sql'))
 *   console.log(snapshot.id.slice(0, 8), path, node.size);
 * ```
 */
export async function* findFiles(
  repo: Repository,
  pattern: string,
  options: FindOptions = {},
): AsyncGenerator<FoundFile> {
  const match = globMatcher(pattern, options.ignoreCase ? { ignoreCase: true } : {});
  await repo.blobs.loadIndex(options.signal, { tolerateDamage: true });
  const snapshots = options.snapshots ?? (await repo.snapshots.scan(options.signal)).snapshots;
  for (const snapshot of snapshots) {
    throwIfAborted(options.signal);
    for await (const { path, node } of walkTree(repo, snapshot.snapshot.tree, { signal: options.signal }))
      if (match(path)) yield { snapshot, path, node };
  }
}
