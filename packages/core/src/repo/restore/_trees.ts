// Tree loading with look-ahead for restore. Internal: never re-exported.
import { unhex } from '../../_bytes';
import { Limiter } from '../../_limiter';
import type { TreeNode } from '../format/tree';
import type { BlobStore } from '../store/blob-store';

/**
 * Trees read before the walk (by `measureTree`, which restore passes this as its blob store),
 * kept decoded so the walk reads each once, up to `budget` bytes of tree blobs (plaintext): past
 * it, trees are read again when the walk gets there, as they all were before. Measured on the
 * 508 MB mixed tree (2,677 trees, 2.5 MB): reading them again cost 0.18-0.21 CPU-s of a restore's
 * ~8; kept, they took 3.8 MB of heap until the walk took them (so the budget bounds this to
 * ~25 MB).
 */
export class KeptTrees {
  #kept = new Map<string, TreeNode[]>();
  #room: number;

  constructor(
    readonly blobs: Pick<BlobStore, 'loadTree' | 'index'>,
    budget: number,
  ) {
    this.#room = budget;
  }

  /** Loads a tree as `BlobStore.loadTree` does, keeping it while the budget lasts. */
  loadTree = async (id: string, signal?: AbortSignal): Promise<TreeNode[]> => {
    const nodes = await this.blobs.loadTree(id, signal);
    const size = this.blobs.index.get(unhex(id))?.rawLength ?? Number.POSITIVE_INFINITY;
    if (size <= this.#room && !this.#kept.has(id)) {
      this.#room -= size;
      this.#kept.set(id, nodes);
    }
    return nodes;
  };

  /** A kept tree, handed out once (the same subtree listed again is read again). */
  take(id: string): TreeNode[] | undefined {
    const nodes = this.#kept.get(id);
    this.#kept.delete(id);
    return nodes;
  }

  /** Drops every kept tree (after a failure). */
  clear(): void {
    this.#kept.clear();
  }
}

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
    /** Trees read already (see KeptTrees): taken from here instead of read again. */
    readonly kept?: KeptTrees,
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
    this.kept?.clear();
  }

  async #load(id: string): Promise<TreeNode[]> {
    return this.kept?.take(id) ?? this.blobs.loadTree(id, this.signal);
  }
}
