// Per-directory completion for a concurrent restore. Internal: never re-exported.
import type { TreeNode } from '../format/tree';

/** A directory being restored: how much work below it is still outstanding. */
export interface DirState {
  readonly path: readonly string[];
  /** The directory's own node (undefined for the snapshot root, which has no metadata). */
  readonly node: TreeNode | undefined;
  readonly parent: DirState | undefined;
  /** Its own listing (1 until walked) plus unfinished files and subdirectories below it. */
  pending: number;
}

/**
 * Finishes each directory once everything below it is done — its own listing, every file job
 * and every subdirectory — then counts it off its parent. Nothing ever waits for *all* work in
 * flight, so the walk and the writes keep going across directory boundaries while a directory's
 * metadata is still applied only after its deepest child.
 */
export class DirTracker {
  readonly root: DirState = { path: [], node: undefined, parent: undefined, pending: 1 };
  /** Settles when the root and everything below it are finished (or with the first failure). */
  readonly done: Promise<void>;
  #resolve!: () => void;
  #reject!: (e: unknown) => void;

  constructor(readonly finish: (dir: DirState) => Promise<void>) {
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.done.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
  }

  /** Opens a subdirectory of `parent`; it stays open until {@link release} was called for its listing. */
  open(parent: DirState, path: readonly string[], node: TreeNode): DirState {
    parent.pending++;
    return { path, node, parent, pending: 1 };
  }

  /** Counts one more unit of work (a file job) below `dir`. */
  hold(dir: DirState): void {
    dir.pending++;
  }

  /** Counts one unit of work below `dir` as finished; finishes `dir` (and maybe its ancestors) at zero. */
  release(dir: DirState): void {
    if (--dir.pending > 0) return;
    if (!dir.parent) {
      this.#resolve();
      return;
    }
    const parent = dir.parent;
    this.finish(dir).then(
      () => this.release(parent),
      (e: unknown) => this.#reject(e),
    );
  }
}
