import { unhex } from '../../_bytes';
import { eachLimited, Limiter } from '../../_limiter';
import { KluisError, throwIfAborted } from '../../errors';
import type { TreeNode } from '../format/tree';
import type { Repository } from '../repository';
import type { NativeFile } from '../store/blob-decoder';
import { ReadBuffers } from '../store/read-buffers';
import { measureTree } from '../tree-claim';
import { openRunFiles, readBytes, runOf, streamBlobs, streamRuns } from './_decode';
import { type DirState, DirTracker } from './_dirs';
import { type FileJob, type ReadJob, ReadPlanner } from './_plan';
import { safeTimes } from './_times';
import { KeptTrees, TreeLoader } from './_trees';
import { verifyRestored } from './_verify';

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
  /**
   * Optional: where and how to write a file, for a decoder that writes files itself
   * (`BlobDecoder.writeFiles`, as the Node worker decoder does): the path must be checked as
   * `file` would check it. `fsTarget` has it; with it a restore leaves the file-system calls to
   * the decoder threads.
   */
  nativeFile?(path: readonly string[], node: TreeNode): Promise<NativeFile>;
  /**
   * Optional: removes what an unfinished write of the file at `path` left (a temporary file),
   * so no partial file stays behind. Called for each file in progress when a restore stops;
   * the file's real name must then hold nothing new.
   */
  discard?(path: readonly string[]): Promise<void>;
}

/** Progress events of a restore. */
export type RestoreEvent =
  | { type: 'file'; path: string; size: number }
  | { type: 'progress'; filesDone: number; bytesDone: number; elapsedMs: number }
  | { type: 'verified'; path: string }
  /** Something restored differently from what the snapshot says (a time no file system holds). */
  | { type: 'warning'; path: string; message: string }
  /** A file that was being written when the restore stopped: not restored (nothing is left under its name with `fsTarget`). */
  | { type: 'not-restored'; path: string };

/** Options of {@link restore}. */
export interface RestoreOptions {
  /** Restore only entries for which this returns true (given the '/'-joined path); directories are traversed regardless. */
  include?: (path: string, node: TreeNode) => boolean;
  /** Read every restored file back and check it against the snapshot's blob IDs. */
  verify?: boolean;
  /**
   * Reads (each one or more files, up to 8 MiB) in flight while the walk goes on ahead. Default 4
   * per decoder thread (`BlobDecoder.parallelism`), from 4 to 16.
   */
  concurrency?: number;
  onEvent?: (e: RestoreEvent) => void;
  signal?: AbortSignal;
  /**
   * Most entries (files, directories, symlinks) the snapshot may hold, counted from its trees
   * before anything is written (trees name subtrees by ID, so a few kilobytes of damaged or
   * hostile trees can claim 2^40 files). Default 2^30; more is refused with `INVALID_DATA`.
   */
  maxEntries?: number;
  /** Most bytes of files the snapshot may hold, counted the same way. Default 2^50 (1 PiB). */
  maxBytes?: number;
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
 * The walk runs ahead of the writes: subtrees are prefetched, neighbouring small files are read
 * with one range request, and a directory's mode and mtime are applied once everything below it
 * is written — without ever waiting for all work in flight.
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
  await repo.blobs.loadIndex(options.signal, { tolerateDamage: true });
  const ref = await repo.snapshots.resolve(snapshot, {}, options.signal);
  // Every tree is read here first; the walk takes them from `kept` rather than read them again.
  const kept = new KeptTrees(repo.blobs, KEEP_TREES);
  await measureTree(kept, ref.snapshot.tree, {
    signal: options.signal,
    ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries }),
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
  });
  return new RestoreRun(repo, target, options, kept).run(ref.snapshot.tree);
}

/** Bytes of tree blobs (plaintext) kept decoded between measuring the trees and walking them. */
const KEEP_TREES = 16 << 20;

/** Largest range read for a group of files (and per request when streaming a large file). */
const MAX_RUN = 8 << 20;
/** Files of one run written at once, so creating one overlaps with decoding and writing others. */
const FILES_AT_ONCE = 4;

class RestoreRun {
  result: RestoreResult = { files: 0, dirs: 0, symlinks: 0, bytes: 0, verified: 0 };
  #dirs = new DirTracker((d) => this.#finishDir(d));
  #trees: TreeLoader;
  #planner: ReadPlanner;
  #slots: number;
  #reads: Limiter;
  #failure: { error: unknown } | undefined;
  #failed!: (e: unknown) => void;
  #made = new Set<string>();
  #done = new WeakSet<FileJob>();
  #t0 = Date.now();
  /**
   * Buffers that every read is made into, given back once the decoder is done with them (see
   * `readBytes`): without them a restore of the 508 MB mixed tree took 8.4 CPU-s instead of 8.1
   * (medians of four interleaved rounds on a loaded machine: within its noise, but never better;
   * check gains more, see there). At most 32 MiB of them wait unused, besides those in flight.
   */
  #buffers: ReadBuffers;

  constructor(
    readonly repo: Repository,
    readonly target: RestoreTarget,
    readonly o: RestoreOptions,
    kept?: KeptTrees,
  ) {
    // Measured with two decoder threads writing files: 8 reads in flight restored 2-13 % faster
    // than 4 (five of six interleaved pairs), at the same peak RSS.
    const parallel = repo.decoder.parallelism;
    this.#slots = Math.max(1, o.concurrency ?? Math.min(16, Math.max(4, 4 * parallel)));
    this.#reads = new Limiter(this.#slots);
    this.#trees = new TreeLoader(repo.blobs, this.#slots * 2, o.signal, kept);
    this.#planner = new ReadPlanner(repo.blobs.index, MAX_RUN);
    this.#buffers = new ReadBuffers(this.#slots, 4 * MAX_RUN);
  }

  async run(tree: string): Promise<RestoreResult> {
    const failed = new Promise<never>((_, reject) => {
      this.#failed = reject;
    });
    failed.catch(() => {}); // raced below; a failure during the walk is rethrown from the catch
    try {
      await this.#walk(this.#dirs.root, tree);
      for (const job of this.#planner.flush()) await this.#submit(job);
      this.#dirs.release(this.#dirs.root);
      await Promise.race([this.#dirs.done, failed]);
    } catch (e) {
      this.#fail(e);
      // Let reads and writes already started settle, so nothing is written after we return.
      await this.#reads.idle();
      throw this.#failure!.error;
    }
    return this.result;
  }

  /** Lists a tree, creating directories and queueing files; returns whether anything below was restored. */
  async #walk(dir: DirState, id: string): Promise<boolean> {
    this.#check();
    const nodes = await this.#trees.get(id);
    this.#trees.prefetch(nodes);
    let any = false;
    for (const stored of nodes) {
      this.#check();
      const p = [...dir.path, stored.name];
      const n = this.#times(p, stored);
      const wanted = !this.o.include || this.o.include(p.join('/'), n);
      if (n.type === 'dir') {
        if (wanted) await this.#mkdirs(p, n);
        const sub = this.#dirs.open(dir, p, n);
        if ((await this.#walk(sub, n.subtree!)) || wanted) {
          await this.#mkdirs(p, n);
          any = true;
        }
        this.#dirs.release(sub);
      } else if (wanted) {
        any = true;
        await this.#mkdirs(dir.path, undefined);
        if (n.type === 'symlink') {
          await this.target.symlink(p, n);
          this.result.symlinks++;
        } else {
          this.#checkFile(p, n);
          this.#dirs.hold(dir);
          for (const job of this.#planner.add({ path: p, node: n, dir })) await this.#submit(job);
        }
      }
    }
    return any;
  }

  /** Starts a read once fewer than `concurrency` are in flight (the walk waits here, bounding memory). */
  async #submit(job: ReadJob): Promise<void> {
    await this.#reads.start(() => {
      this.#check();
      return this.#read(job).catch((e: unknown) => {
        this.#fail(e);
        return this.#discard(job);
      });
    });
  }

  /**
   * Reads a job's bytes and has the decoder open them: every read goes into a recycled buffer
   * (`readBytes`), which comes back once the decoder is done. A decoder that writes files itself
   * (`writeFiles`, with a target that has `nativeFile`) writes them from its threads; otherwise
   * the plaintexts go to `target.file`. A file too large for one read is streamed run by run.
   */
  async #read(job: ReadJob): Promise<void> {
    const { blobs, signal } = { blobs: this.repo.blobs, signal: this.o.signal };
    const decoder = this.repo.decoder;
    const native = decoder.writeFiles && this.target.nativeFile ? decoder : undefined;
    if (job.kind === 'stream') {
      const { node, path } = job.job;
      const content = node.content ?? [];
      if (!native)
        return this.#file(job.job, streamBlobs(blobs, decoder, this.#buffers, content, signal, MAX_RUN));
      // The decoder's threads write the file run by run, each piece where the previous ended.
      const file = await this.target.nativeFile!(path, node);
      const runs = streamRuns(blobs, this.#buffers, content, signal, MAX_RUN);
      let from = 0;
      for (let r = await runs.next(); !r.done; ) {
        this.#check();
        const { run, owned, size } = r.value;
        const blobs = run.blobs.map((_, i) => i);
        r = await runs.next(); // the next run is read while this one is written
        const write = { file, blobs, from, final: r.done === true };
        this.#buffers.give(await native.writeFiles!(run, [write], owned));
        from += size;
      }
      return this.#written(job.job);
    }
    const range = { offset: job.offset, length: job.length };
    const { bytes, owned } = await readBytes(blobs, this.#buffers, job.key, range, signal);
    const { run, slots } = runOf(job, bytes);
    if (native) {
      // The decoder's threads open the run and write its files: no plaintext comes back here.
      const files = await Promise.all(job.files.map((f) => this.target.nativeFile!(f.job.path, f.job.node)));
      this.#check();
      const writes = files.map((file, i) => ({ file, blobs: slots[i]! }));
      this.#buffers.give(await native.writeFiles!(run, writes, owned));
      for (const { job: file } of job.files) await this.#written(file);
      return;
    }
    const chunks = await openRunFiles(decoder, this.#buffers, { run, owned }, slots);
    await eachLimited(job.files, FILES_AT_ONCE, async ({ job: file }, i) => {
      this.#check();
      return this.#file(file, fromArray(chunks[i]!));
    });
  }

  async #file(job: FileJob, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    await this.target.file(job.path, job.node, chunks);
    await this.#written(job);
  }

  /** After a failed read: reports the job's files not written, and has the target remove their remains. */
  async #discard(job: ReadJob): Promise<void> {
    const files = job.kind === 'stream' ? [job.job] : job.files.map((f) => f.job);
    for (const file of files) {
      if (this.#done.has(file)) continue;
      this.o.onEvent?.({ type: 'not-restored', path: file.path.join('/') });
      await this.target.discard?.(file.path).catch(() => {}); // the restore's own error is reported
    }
  }

  /** Counts a written file, reports it, verifies it if asked, and lets its directory finish. */
  async #written(job: FileJob): Promise<void> {
    const { path, node } = job;
    this.#done.add(job);
    this.result.files++;
    this.result.bytes += node.size;
    this.o.onEvent?.({ type: 'file', path: path.join('/'), size: node.size });
    this.o.onEvent?.({
      type: 'progress',
      filesDone: this.result.files,
      bytesDone: this.result.bytes,
      elapsedMs: Date.now() - this.#t0,
    });
    if (this.o.verify) {
      if (!this.target.read) throw new TypeError('verify needs a target that can read files back');
      await verifyRestored(this.repo, this.target.read(path), path, node);
      this.result.verified++;
      this.o.onEvent?.({ type: 'verified', path: path.join('/') });
    }
    this.#dirs.release(job.dir);
  }

  /** Refuses a file whose content is not data blobs adding up to its size (it would restore wrong bytes). */
  #checkFile(path: readonly string[], n: TreeNode): void {
    let sum = 0;
    for (const c of n.content ?? []) {
      const loc = this.repo.blobs.index.get(unhex(c));
      if (!loc) throw new KluisError('NOT_FOUND', `blob ${c} of ${path.join('/')} is not in the index`);
      if (loc.type !== 'data')
        throw new KluisError(
          'INVALID_DATA',
          `${path.join('/')}: its content names tree blob ${c}, not file data`,
        );
      sum += loc.rawLength;
    }
    if (sum !== n.size)
      throw new KluisError(
        'INVALID_DATA',
        `${path.join('/')}: the snapshot gives its size as ${n.size} bytes but its content holds ${sum}`,
      );
  }

  async #finishDir(dir: DirState): Promise<void> {
    this.#check();
    if (dir.node && this.#made.has(dir.path.join('/'))) await this.target.finishDir?.(dir.path, dir.node);
  }

  async #mkdirs(path: readonly string[], node: TreeNode | undefined): Promise<void> {
    // Start after the deepest directory already made: its ancestors were made before it (this
    // keeps a deep tree from costing depth² path joins per directory).
    let from = path.length;
    while (from > 0 && !this.#made.has(path.slice(0, from).join('/'))) from--;
    for (let i = from + 1; i <= path.length; i++) {
      const key = path.slice(0, i).join('/');
      this.#made.add(key);
      const n =
        i === path.length && node
          ? node
          : { name: path[i - 1]!, type: 'dir' as const, mode: 0o755, mtime: 0, size: 0, subtree: '' };
      await this.target.dir(path.slice(0, i), n);
      this.result.dirs++;
    }
  }

  /** `node` with a modification time the target can apply, reporting a change. */
  #times(path: readonly string[], node: TreeNode): TreeNode {
    const safe = safeTimes(node);
    if (safe.warning) this.o.onEvent?.({ type: 'warning', path: path.join('/'), message: safe.warning });
    return safe.node;
  }

  #fail(e: unknown): void {
    if (this.#failure) return;
    this.#failure = { error: e };
    this.#trees.clear();
    this.#failed(e);
  }

  #check(): void {
    if (this.#failure) throw this.#failure.error;
    throwIfAborted(this.o.signal);
  }
}

async function* fromArray(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}
