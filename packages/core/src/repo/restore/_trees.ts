// Tree loading with look-ahead for restore. Internal: never re-exported.
import { Limiter } from '../../_limiter';
import type { TreeNode } from '../format/tree';
import type { BlobStore } from '../store/blob-store';

/**
 * Loads and decodes tree blobs, prefetching the subtrees of a directory as soon as it is listed
 * (with bounded concurrency) so the walk rarely waits for a read. A prefetched tree is kept until
 * the walk asks for it; identical subtrees (the same ID listed twice) are loaded once per request.
 *
 * Loads go through `BlobStore.load`, whose tree cache reads each pack of trees once, so the walk
 * makes a few requests instead of one per directory.
 */
export class TreeLoader {
  #limit: Limiter;
  #ahead = new Map<string, { tree: Promise<TreeNode[]>; wanted: number }>();

  constructor(
    readonly blobs: Pick<BlobStore, 'loadTree'>,
    concurrency: number,
    readonly signal: AbortSignal | undefined,
  ) {
    this.#limit = new Limiter(concurrency);
  }

  /** Starts loading the subtrees listed in `nodes`. */
  prefetch(nodes: readonly TreeNode[]): void {
    for (const n of nodes) {
      if (n.type !== 'dir' || n.subtree === undefined) continue;
      const ahead = this.#ahead.get(n.subtree);
      if (ahead) {
        ahead.wanted++;
        continue;
      }
      const id = n.subtree;
      const tree = this.#limit.run(() => this.#load(id));
      tree.catch(() => {}); // reported when the walk gets to it
      this.#ahead.set(id, { tree, wanted: 1 });
    }
  }

  /** The decoded tree `id`, from the look-ahead if it was prefetched. */
  get(id: string): Promise<TreeNode[]> {
    const ahead = this.#ahead.get(id);
    if (!ahead) return this.#load(id);
    if (--ahead.wanted === 0) this.#ahead.delete(id);
    return ahead.tree;
  }

  /** Drops look-ahead that will never be used (after a failure). */
  clear(): void {
    // Queued loads are left to run: the walk may be waiting for one, and stops after it settles.
    this.#ahead.clear();
  }

  async #load(id: string): Promise<TreeNode[]> {
    return this.blobs.loadTree(id, this.signal);
  }
}
