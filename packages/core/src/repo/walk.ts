import { throwIfAborted } from '../errors';
import { unhex } from './_bytes';
import type { Repository } from './repository';
import { decodeTree, type TreeNode } from './tree';

/**
 * Visits every node of a snapshot's tree, depth first, with its '/'-joined path. Shared trees are
 * loaded once per call when `seen` is passed (check and prune walk many snapshots).
 *
 * @example
 * ```ts
 * for await (const { path, node } of walkTree(repo, snapshot.tree)) console.log(path, node.size);
 * ```
 */
export async function* walkTree(
  repo: Repository,
  treeId: string,
  options: {
    signal?: AbortSignal | undefined;
    seen?: Set<string>;
    prefix?: string;
    descend?: (node: TreeNode) => boolean;
  } = {},
): AsyncGenerator<{ path: string; node: TreeNode; tree: string }> {
  throwIfAborted(options.signal);
  if (options.seen) {
    if (options.seen.has(treeId)) return;
    options.seen.add(treeId);
  }
  const nodes = decodeTree(await repo.blobs.load(unhex(treeId), options.signal), `tree ${treeId}`);
  for (const node of nodes) {
    const path = options.prefix ? `${options.prefix}/${node.name}` : node.name;
    yield { path, node, tree: treeId };
    if (node.type === 'dir' && (options.descend?.(node) ?? true))
      yield* walkTree(repo, node.subtree!, { ...options, prefix: path });
  }
}
