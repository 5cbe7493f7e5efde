import { KluisError, throwIfAborted } from '../errors';
import type { TreeNode } from './format/tree';
import type { BlobStore } from './store/blob-store';

/**
 * Totals of a tree: entries (files, directories, symlinks) and file bytes below it.
 *
 * @example
 * ```ts
 * const claim: TreeClaim = await measureTree(repo.blobs, snapshot.tree);
 * console.log(`${claim.entries} entries, ${claim.bytes} bytes`);
 * ```
 */
export interface TreeClaim {
  entries: number;
  bytes: number;
}

interface Frame extends TreeClaim {
  tree: string;
  nodes: TreeNode[];
  next: number;
}

/**
 * Default bound on the entries a tree may claim ({@link measureTree}, restore): 2^30.
 *
 * @example
 * ```ts
 * await restore(repo, 'latest', fsTarget('/srv/restore'), { maxEntries: 4 * MAX_TREE_ENTRIES }); // a truly huge snapshot
 * ```
 */
export const MAX_TREE_ENTRIES = 2 ** 30;
/**
 * Default bound on the file bytes a tree may claim ({@link measureTree}, restore): 2^50 (1 PiB).
 *
 * @example
 * ```ts
 * await measureTree(repo.blobs, snapshot.tree, { maxBytes: MAX_TREE_BYTES / 1024 });
 * ```
 */
export const MAX_TREE_BYTES = 2 ** 50;

/**
 * Adds up the entries and file bytes a snapshot's tree claims, reading each distinct tree blob
 * once (a tree named twice counts twice, but is read once), and fails with `INVALID_DATA` as soon
 * as either passes its bound (default {@link MAX_TREE_ENTRIES}, {@link MAX_TREE_BYTES}). Trees
 * name subtrees by ID, so a few kilobytes of trees can claim 2^40 files (a tree that names the
 * level below twice, 40 levels deep): anything that walks every path (restore, a listing, a diff)
 * calls this first, so such a snapshot is refused at once instead of walked without end. A tree
 * that cannot be read counts as empty here; the walk reports it when (and if) it gets there.
 *
 * @example
 * ```ts
 * const { entries, bytes } = await measureTree(repo.blobs, snapshot.tree, { maxEntries: 1e8 });
 * ```
 */
export async function measureTree(
  blobs: Pick<BlobStore, 'loadTree'>,
  root: string,
  options: { maxEntries?: number; maxBytes?: number; signal?: AbortSignal | undefined } = {},
): Promise<TreeClaim> {
  const signal = options.signal;
  const limits = {
    maxEntries: options.maxEntries ?? MAX_TREE_ENTRIES,
    maxBytes: options.maxBytes ?? MAX_TREE_BYTES,
  };
  const totals = new Map<string, TreeClaim>();
  const load = async (id: string): Promise<TreeNode[]> => {
    try {
      return await blobs.loadTree(id, signal);
    } catch (e) {
      if (!KluisError.is(e) || e.code === 'ABORTED') throw e;
      return [];
    }
  };
  const stack: Frame[] = [{ tree: root, nodes: await load(root), next: 0, entries: 0, bytes: 0 }];
  for (;;) {
    throwIfAborted(signal);
    const f = stack.at(-1)!;
    const n = f.nodes[f.next++];
    if (n === undefined) {
      stack.pop();
      totals.set(f.tree, { entries: f.entries, bytes: f.bytes });
      const parent = stack.at(-1);
      if (!parent) return f;
      count(parent, f, limits);
      continue;
    }
    count(f, { entries: 1, bytes: n.type === 'file' ? n.size : 0 }, limits);
    if (n.type !== 'dir') continue;
    const known = totals.get(n.subtree!);
    if (known) count(f, known, limits);
    else if (!stack.some((s) => s.tree === n.subtree))
      stack.push({ tree: n.subtree!, nodes: await load(n.subtree!), next: 0, entries: 0, bytes: 0 });
  }
}

function count(into: TreeClaim, add: TreeClaim, limits: { maxEntries: number; maxBytes: number }): void {
  into.entries += add.entries;
  into.bytes += add.bytes;
  if (into.entries > limits.maxEntries)
    throw new KluisError(
      'INVALID_DATA',
      `snapshot claims more than ${limits.maxEntries} entries (its trees name the same subtrees over and over?); raise maxEntries if it is real`,
    );
  if (into.bytes > limits.maxBytes)
    throw new KluisError(
      'INVALID_DATA',
      `snapshot claims more than ${limits.maxBytes} bytes of files; raise maxBytes if it is real`,
    );
}
