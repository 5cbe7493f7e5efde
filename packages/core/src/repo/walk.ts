import { throwIfAborted } from '../errors';
import type { TreeNode } from './format/tree';
import type { Repository } from './repository';

/**
 * Visits every node of a snapshot's tree, depth first, with its '/'-joined path. Shared trees are
 * loaded once per call when `seen` is passed (check and prune walk many snapshots). The walk keeps
 * its own stack (no recursion), so a tree of any depth is walked in memory proportional to it.
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
  const { signal, seen, descend } = options;
  const load = async (id: string): Promise<TreeNode[] | undefined> => {
    throwIfAborted(signal);
    if (seen) {
      if (seen.has(id)) return undefined;
      seen.add(id);
    }
    return repo.loadTree(id, signal);
  };
  const first = await load(treeId);
  if (!first) return;
  const stack = [{ tree: treeId, prefix: options.prefix ?? '', nodes: first, next: 0 }];
  while (stack.length > 0) {
    const f = stack.at(-1)!;
    const node = f.nodes[f.next++];
    if (node === undefined) {
      stack.pop();
      continue;
    }
    const path = f.prefix ? `${f.prefix}/${node.name}` : node.name;
    yield { path, node, tree: f.tree };
    if (node.type !== 'dir' || !(descend?.(node) ?? true)) continue;
    const nodes = await load(node.subtree!);
    if (nodes) stack.push({ tree: node.subtree!, prefix: path, nodes, next: 0 });
  }
}
