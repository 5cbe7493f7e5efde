import pLimit from 'p-limit';
import { KluisError, throwIfAborted } from '../errors';
import { hex, unhex } from './_bytes';
import type { Repository } from './repository';
import { decodeTree, type TreeNode } from './tree';

/**
 * Where a restore writes. Paths are arrays of safe names (validated when trees are decoded);
 * implementations must still refuse anything that would resolve outside their root
 * (`UNSAFE_PATH`). The Node implementation is `fsTarget` in `@kluis/core/node`.
 *
 * @example
 * ```ts
 * const files = new Map<string, Uint8Array[]>();
 * const target: RestoreTarget = {
 *   async dir() {},
 *   async file(path, _node, chunks) { const parts = []; for await (const c of chunks) parts.push(c); files.set(path.join('/'), parts); },
 *   async symlink() {},
 * };
 * ```
 */
export interface RestoreTarget {
  /** Creates a directory (metadata is applied later by `finishDir`). */
  dir(path: readonly string[], node: TreeNode): Promise<void>;
  /** Writes a file from its chunks in order, then applies mode and mtime. */
  file(path: readonly string[], node: TreeNode, chunks: AsyncIterable<Uint8Array>): Promise<void>;
  /** Creates a symbolic link. */
  symlink(path: readonly string[], node: TreeNode): Promise<void>;
  /** Applies a directory's mode and mtime after its children were written. */
  finishDir?(path: readonly string[], node: TreeNode): Promise<void>;
  /** Reads a restored file back (for `verify`). */
  read?(path: readonly string[]): AsyncIterable<Uint8Array>;
}

/** Progress events of a restore. */
export type RestoreEvent =
  | { type: 'file'; path: string; size: number }
  | { type: 'progress'; filesDone: number; bytesDone: number; elapsedMs: number }
  | { type: 'verified'; path: string };

/** Options of {@link restore}. */
export interface RestoreOptions {
  /** Restore only entries for which this returns true (given the '/'-joined path); directories are traversed regardless. */
  include?: (path: string, node: TreeNode) => boolean;
  /** Read every restored file back and check it against the snapshot's blob IDs. */
  verify?: boolean;
  /** Files written in parallel. Default 4. */
  concurrency?: number;
  onEvent?: (e: RestoreEvent) => void;
  signal?: AbortSignal;
}

/** Counts of a finished restore. */
export interface RestoreResult {
  files: number;
  dirs: number;
  symlinks: number;
  bytes: number;
  verified: number;
}

/**
 * Restores a snapshot (by ID, prefix or `latest`) into a target. Every blob is authenticated and
 * its ID checked against its plaintext before a byte is written; names from the (untrusted)
 * trees are validated so nothing is written outside the target.
 *
 * @example
 * ```ts
 * await restore(repo, 'latest', fsTarget('/tmp/restored'), { verify: true });
 * ```
 */
export async function restore(
  repo: Repository,
  snapshot: string,
  target: RestoreTarget,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  await repo.blobs.loadIndex(options.signal);
  const ref = await repo.snapshots.resolve(snapshot, {}, options.signal);
  const run = new RestoreRun(repo, target, options);
  await run.tree([], ref.snapshot.tree);
  await run.drain();
  return run.result;
}

class RestoreRun {
  result: RestoreResult = { files: 0, dirs: 0, symlinks: 0, bytes: 0, verified: 0 };
  #limit: ReturnType<typeof pLimit>;
  #jobs: Promise<void>[] = [];
  #made = new Set<string>();
  #t0 = Date.now();

  constructor(
    readonly repo: Repository,
    readonly target: RestoreTarget,
    readonly o: RestoreOptions,
  ) {
    this.#limit = pLimit(o.concurrency ?? 4);
  }

  /** Walks a tree; returns whether anything below it was restored. */
  async tree(path: readonly string[], id: string): Promise<boolean> {
    throwIfAborted(this.o.signal);
    const nodes = decodeTree(await this.repo.blobs.load(unhex(id), this.o.signal), `tree ${id}`);
    let any = false;
    const dirs: [string[], TreeNode][] = [];
    for (const n of nodes) {
      const p = [...path, n.name];
      const wanted = !this.o.include || this.o.include(p.join('/'), n);
      if (n.type === 'dir') {
        if (wanted) await this.#mkdirs(p, n);
        const below = await this.tree(p, n.subtree!);
        if (wanted || below) {
          await this.#mkdirs(p, n);
          dirs.push([p, n]);
          any = true;
        }
      } else if (wanted) {
        await this.#mkdirs(path, undefined);
        any = true;
        if (n.type === 'symlink') {
          await this.target.symlink(p, n);
          this.result.symlinks++;
        } else {
          this.#jobs.push(this.#limit(() => this.#file(p, n)));
        }
      }
    }
    if (dirs.length) {
      await this.drain();
      for (const [p, n] of dirs) await this.target.finishDir?.(p, n);
    }
    return any;
  }

  async drain(): Promise<void> {
    const jobs = this.#jobs;
    this.#jobs = [];
    await Promise.all(jobs);
  }

  async #mkdirs(path: readonly string[], node: TreeNode | undefined): Promise<void> {
    for (let i = 1; i <= path.length; i++) {
      const key = path.slice(0, i).join('/');
      if (this.#made.has(key)) continue;
      this.#made.add(key);
      const n =
        i === path.length && node
          ? node
          : { name: path[i - 1]!, type: 'dir' as const, mode: 0o755, mtime: 0, size: 0, subtree: '' };
      await this.target.dir(path.slice(0, i), n);
      this.result.dirs++;
    }
  }

  async #file(p: string[], n: TreeNode): Promise<void> {
    await this.target.file(p, n, this.repo.blobs.loadSequence(n.content!.map(unhex), this.o.signal));
    this.result.files++;
    this.result.bytes += n.size;
    this.o.onEvent?.({ type: 'file', path: p.join('/'), size: n.size });
    this.o.onEvent?.({
      type: 'progress',
      filesDone: this.result.files,
      bytesDone: this.result.bytes,
      elapsedMs: Date.now() - this.#t0,
    });
    if (this.o.verify) await this.#verify(p, n);
  }

  async #verify(p: string[], n: TreeNode): Promise<void> {
    if (!this.target.read) throw new TypeError('verify needs a target that can read files back');
    const sizes = n.content!.map((c) => {
      const loc = this.repo.blobs.index.get(unhex(c));
      if (!loc) throw new KluisError('NOT_FOUND', `blob ${c} missing from the index`);
      return loc.rawLength;
    });
    const ids = await readBackIds(this.target.read(p), sizes, (b) => hex(this.repo.sealer.blobId(b)));
    if (ids.length !== n.content!.length || ids.some((id, i) => id !== n.content![i])) {
      throw new KluisError('INTEGRITY', `restored file ${p.join('/')} does not match the snapshot`);
    }
    this.result.verified++;
    this.o.onEvent?.({ type: 'verified', path: p.join('/') });
  }
}

/** Re-cuts a byte stream at the given sizes and maps each piece to its ID; a length mismatch yields extra/missing IDs. */
async function readBackIds(
  stream: AsyncIterable<Uint8Array>,
  sizes: number[],
  id: (b: Uint8Array) => string,
): Promise<string[]> {
  const ids: string[] = [];
  let buf = new Uint8Array(0);
  let k = 0;
  for await (const part of stream) {
    const joined = new Uint8Array(buf.length + part.length);
    joined.set(buf);
    joined.set(part, buf.length);
    buf = joined;
    while (k < sizes.length && buf.length >= sizes[k]!) {
      ids.push(id(buf.subarray(0, sizes[k]!)));
      buf = buf.slice(sizes[k]!);
      k++;
    }
  }
  if (buf.length > 0 || k < sizes.length) ids.push('mismatch');
  return ids;
}
