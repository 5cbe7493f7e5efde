import { hex, unhex } from '../../_bytes';
import { Limiter } from '../../_limiter';
import { type ChunkerFactory, keyedGearTable, type StreamChunker } from '../../chunker/index';
import { KluisError, throwIfAborted } from '../../errors';
import type { SnapshotSummary } from '../format/snapshot';
import { encodeTree, isSafeName, type TreeNode } from '../format/tree';
import type { Repository } from '../repository';
import type { EncodedBlob } from '../store/blob-encoder';
import type { SaveResult } from '../store/blob-store';
import { type Later, later, meta, sameNodes, unchanged } from './_nodes';
import type { BackupEvent, BackupOptions } from './options';
import type { BackupSource, SourceEntry } from './source';

/** A directory's entries and its counterpart in the parent snapshot (empty map when none). */
interface Listing {
  children: SourceEntry[] | undefined;
  previous: Map<string, TreeNode>;
}

/** Subdirectories of the directory being walked that are listed (and whose parent trees are loaded) ahead. */
const LOOKAHEAD = 8;
/** Chunks handed to the store and not yet stored, per encoder thread. */
const CHUNKS_PER_THREAD = 32;
/** Files the walk may schedule ahead of those being read, per file read in parallel. */
const QUEUED_PER_READER = 16;
/**
 * New files go to the encoder's threads whole (`BlobEncoder.files`), which seal every chunk before
 * the store knows whether it has it. Once this many bytes of them were already stored, and more
 * than half of all, the rest of the backup reads files here, sealing only new chunks (a backup
 * without a parent of data the repository mostly has).
 */
const WASTE_LIMIT = 32 << 20;

/**
 * One backup's walk. The walk never waits for a directory's files to finish before moving on:
 * files are read by a bounded pool while the walk lists the next directories (a bounded number
 * ahead) and loads their parent trees, and a directory's tree is saved once everything below it is
 * done. So small directories do not drain the pipeline, and memory stays bounded by the number of
 * files scheduled ahead, whatever the size of the tree.
 */
export class BackupRun {
  summary: Omit<SnapshotSummary, 'started' | 'finished'> = {
    filesNew: 0,
    filesChanged: 0,
    filesUnchanged: 0,
    dirs: 0,
    bytesTotal: 0,
    bytesRead: 0,
    bytesAdded: 0,
    bytesStored: 0,
    blobsNew: 0,
    errors: 0,
  };
  #readers: Limiter;
  #slots: Limiter;
  #inFlight: Limiter;
  #ahead = new Limiter(LOOKAHEAD);
  #failure: { error: unknown } | undefined;
  #chunkers: StreamChunker[] = [];
  /** Sealed chunks from whole-file threads being stored. */
  #saving = new Set<Promise<void>>();
  /** Plaintext bytes the whole-file threads sealed, and those of them the store had already. */
  #sealed = 0;
  #wasted = 0;
  /** Parent-snapshot trees that loaded (an unreadable one is an empty map not in here), to their IDs. */
  #loaded = new WeakMap<Map<string, TreeNode>, string>();
  #gear: Uint32Array;
  #t0 = Date.now();
  #lastProgress = 0;

  constructor(
    readonly repo: Repository,
    readonly source: BackupSource,
    readonly factory: ChunkerFactory,
    readonly o: BackupOptions,
  ) {
    const readers = Math.max(1, o.fileConcurrency ?? 4);
    this.#readers = new Limiter(readers);
    this.#slots = new Limiter(readers * QUEUED_PER_READER);
    this.#inFlight = new Limiter(Math.max(8, repo.encoder.parallelism * CHUNKS_PER_THREAD));
    this.#gear = keyedGearTable(repo.chunkerKey);
  }

  /** Backs up the source's roots; returns the root tree's ID once every file is stored. */
  async rootTree(parentTree: string | undefined): Promise<string> {
    const roots = await this.source.roots(this.o.signal);
    const names = new Set<string>();
    for (const r of roots) {
      if (!isSafeName(r.name) || names.has(r.name))
        throw new TypeError(`backup roots need distinct, safe names (got ${JSON.stringify(r.name)})`);
      names.add(r.name);
    }
    try {
      const previous = parentTree ? await this.#loadTree(parentTree) : new Map<string, TreeNode>();
      const root = await this.#tree([], roots, previous);
      const id = await root.value;
      await this.#inFlight.idle(); // every chunk stored before the caller flushes the store
      await this.#savingIdle();
      if (this.#failure) throw this.#failure.error;
      return id;
    } catch (e) {
      // Nothing may still be saving blobs when the caller flushes the store.
      await this.#slots.idle();
      await this.#inFlight.idle();
      await this.#savingIdle();
      throw this.#failure ? this.#failure.error : e;
    }
  }

  async #tree(path: readonly string[], entries: SourceEntry[], previous: Map<string, TreeNode>) {
    const nodes: Promise<TreeNode | undefined>[] = [];
    const dirs = entries.filter((e) => e.type === 'dir');
    const ahead = new Map<string, Promise<Listing>>();
    let next = 0;
    for (const e of entries) {
      if (this.#failure) throw this.#failure.error;
      throwIfAborted(this.o.signal);
      const p = [...path, e.name];
      if (e.type === 'file') {
        nodes.push((await this.#file(p, e, previous.get(e.name))).value);
      } else if (e.type === 'dir') {
        for (; next < dirs.length && ahead.size < LOOKAHEAD; next++) {
          const d = dirs[next]!;
          ahead.set(d.name, this.#list([...path, d.name], previous.get(d.name)));
        }
        const listing = ahead.get(e.name)!;
        ahead.delete(e.name);
        nodes.push((await this.#dir(p, e, await listing)).value);
      } else {
        nodes.push(Promise.resolve({ ...meta(e), type: 'symlink', size: 0, target: e.target ?? '' }));
      }
    }
    return later(Promise.all(nodes).then((n) => this.#saveTree(n, previous)));
  }

  /**
   * Saves a directory's tree. A directory exactly as in the parent snapshot keeps that tree's ID
   * (if its blob is still stored), without encoding and hashing it again.
   */
  async #saveTree(all: (TreeNode | undefined)[], previous: Map<string, TreeNode>): Promise<string> {
    const nodes = all.filter((n): n is TreeNode => n !== undefined);
    const previousId = this.#loaded.get(previous);
    if (previousId && sameNodes(nodes, previous) && this.repo.blobs.has(unhex(previousId))) return previousId;
    const { id } = await this.repo.blobs.save('tree', encodeTree(nodes), { owned: true });
    return hex(id);
  }

  /** Lists a directory and loads its parent-snapshot tree, ahead of the walk. */
  #list(p: string[], prev: TreeNode | undefined): Promise<Listing> {
    const children = this.#ahead
      .run(() => this.source.list(p, this.o.signal))
      .catch((err: unknown) => {
        if (this.o.signal?.aborted) throw err;
        this.#warn(p, 'cannot list directory', err);
        return undefined;
      });
    const previous =
      prev?.type === 'dir' && prev.subtree
        ? this.#ahead.run(() => this.#loadTree(prev.subtree!))
        : Promise.resolve(new Map<string, TreeNode>());
    const listing = Promise.all([children, previous]).then(([c, m]) => ({ children: c, previous: m }));
    listing.catch(() => {}); // awaited by the walk, unless it stopped first
    return listing;
  }

  async #dir(p: string[], e: SourceEntry, listing: Listing): Promise<Later<TreeNode | undefined>> {
    if (!listing.children) return later(Promise.resolve(undefined));
    this.summary.dirs++;
    const sub = await this.#tree(p, listing.children, listing.previous);
    return later(sub.value.then((subtree): TreeNode => ({ ...meta(e), type: 'dir', size: 0, subtree })));
  }

  /** An unchanged file is settled at once; others are scheduled once a slot is free. */
  async #file(p: string[], e: SourceEntry, prev: TreeNode | undefined): Promise<Later<TreeNode | undefined>> {
    this.summary.bytesTotal += e.size;
    if (prev && unchanged(prev, e) && prev.content!.every((c) => this.repo.blobs.has(unhex(c)))) {
      this.summary.filesUnchanged++;
      this.#event({ type: 'file', path: p.join('/'), status: 'unchanged', size: e.size });
      this.#progress(p);
      return later(Promise.resolve({ ...prev, ...meta(e), type: 'file' }));
    }
    await this.#slots.acquire();
    // A whole file goes to the threads at once (they bound their own work); others wait for a
    // reader, and go to the threads after all if they run by then.
    const local = this.#localPath(p, e, prev);
    const value =
      local === undefined
        ? this.#readers.run(() => this.#readFile(p, e, prev, this.#localPath(p, e, prev)))
        : this.#readFile(p, e, prev, local);
    value.then(
      () => this.#slots.release(),
      (error: unknown) => {
        this.#failure ??= { error };
        this.#slots.release();
      },
    );
    return { value };
  }

  /**
   * Whether a file goes to the encoder's threads whole: a new file (a changed one mostly repeats
   * stored chunks, which the threads would seal in vain), once they run, unless whole files
   * turned out to be mostly stored already.
   */
  #localPath(p: string[], e: SourceEntry, prev: TreeNode | undefined): string | undefined {
    const whole =
      prev === undefined &&
      e.streamed !== true &&
      this.repo.encoder.files?.ready === true &&
      !(this.#wasted > WASTE_LIMIT && this.#wasted * 2 > this.#sealed);
    return whole ? this.source.localPath?.(p) : undefined;
  }

  async #readFile(
    p: string[],
    e: SourceEntry,
    prev: TreeNode | undefined,
    local?: string,
  ): Promise<TreeNode | undefined> {
    if (this.#failure) throw this.#failure.error;
    let content: string[];
    let size: number;
    try {
      ({ content, size } =
        local === undefined ? await this.#chunkFile(p) : await this.#sealFile(p, local, e.size));
    } catch (err) {
      if (this.o.signal?.aborted || KluisError.is(err) || this.#failure) throw err;
      this.#warn(p, 'cannot read file', err);
      return undefined;
    }
    // The snapshot's total counts the bytes stored, whatever the listing said.
    this.summary.bytesTotal += size - e.size;
    if (size !== e.size && !e.streamed)
      this.#event({
        type: 'warning',
        path: p.join('/'),
        message: `file changed while being read (${e.size} → ${size} bytes)`,
      });
    if (prev) this.summary.filesChanged++;
    else this.summary.filesNew++;
    this.#event({ type: 'file', path: p.join('/'), status: prev ? 'changed' : 'new', size });
    return { ...meta(e), type: 'file', size, content };
  }

  /**
   * Reads and chunks a file, handing each chunk to the store. A file is done once its chunks are
   * handed over (their IDs are known at once): waiting for them to be encoded and packed would
   * hold up the next files, and on a tree of small files leave the encoder threads idle. Chunks in
   * flight are bounded across files, and `rootTree` waits for all of them.
   *
   * When the encoder copies its input (`copiesInput`, the worker encoder), chunks are handed over
   * as views of the chunker's window, which the store has read before `save` returns: no chunk is
   * copied into a buffer of its own. Otherwise each chunk is a copy the encoder may keep.
   */
  async #chunkFile(p: string[]): Promise<{ content: string[]; size: number }> {
    const chunker =
      this.#chunkers.pop() ?? this.factory.create({ ...this.repo.config.chunker, gear: this.#gear });
    const content: string[] = [];
    const views = this.repo.encoder.copiesInput === true;
    // Slots for chunks already handed over; the next read waits for them (a view cannot wait).
    const waits: Promise<void>[] = [];
    // Hashes a chunk, records its ID and hands it to the store; its in-flight slot is held.
    const handOver = (c: Uint8Array, owned: boolean) => {
      const id = this.repo.blobId(c);
      content.push(hex(id));
      this.#track(this.#saveChunk(c, id, owned));
    };
    const submitNow = (c: Uint8Array) => {
      const wait = this.#inFlight.acquire();
      if (wait) waits.push(wait);
      handOver(c, false);
    };
    const submit = async (c: Uint8Array) => {
      if (this.#failure) throw this.#failure.error;
      await this.#inFlight.acquire();
      handOver(c, true);
    };
    const settle = async () => {
      if (waits.length > 0) await Promise.all(waits.splice(0));
      if (this.#failure) throw this.#failure.error;
    };
    let size = 0;
    try {
      for await (const buf of this.source.read(p, this.o.signal)) {
        throwIfAborted(this.o.signal);
        size += buf.length;
        this.summary.bytesRead += buf.length;
        if (views) {
          chunker.pushViews(buf, submitNow);
          await settle();
        } else for (const c of chunker.push(buf)) await submit(c);
        this.#progress(p);
      }
      if (views) {
        chunker.finishViews(submitNow);
        await settle();
      } else for (const c of chunker.finish()) await submit(c);
      return { content, size };
    } catch (err) {
      chunker.finish();
      await Promise.all(waits); // each slot is released by its own chunk's save
      throw err;
    } finally {
      this.#chunkers.push(chunker);
    }
  }

  /**
   * Has the encoder's threads read, chunk, identify and seal a file (see `BlobEncoder.files`);
   * here its chunks are only deduplicated and stored, in file order, as they come.
   */
  async #sealFile(p: string[], path: string, listed: number): Promise<{ content: string[]; size: number }> {
    const content: string[] = [];
    const size = await this.repo.encoder.files!.encodeFile(
      path,
      listed,
      (id, rawLength, blob) => {
        content.push(hex(id));
        this.summary.bytesRead += rawLength;
        this.#sealed += rawLength;
        if (this.#failure || this.repo.blobs.has(id)) {
          this.#wasted += rawLength;
          blob.release?.();
        } else this.#trackSaving(this.#saveSealed(id, rawLength, blob));
        this.#progress(p);
      },
      this.o.signal,
    );
    return { content, size };
  }

  async #saveSealed(id: Uint8Array, rawLength: number, blob: EncodedBlob): Promise<void> {
    let r: SaveResult;
    try {
      r = await this.repo.blobs.saveSealed('data', id, rawLength, blob);
    } catch (e) {
      blob.release?.(); // not stored: its buffer goes back to its thread
      throw e;
    }
    if (r.added) {
      this.summary.blobsNew++;
      this.summary.bytesAdded += rawLength;
      this.summary.bytesStored += r.stored;
    }
  }

  #trackSaving(saving: Promise<void>): void {
    const tracked = saving.then(
      () => {
        this.#saving.delete(tracked);
      },
      (error: unknown) => {
        this.#failure ??= { error };
        this.#saving.delete(tracked);
      },
    );
    this.#saving.add(tracked);
  }

  async #savingIdle(): Promise<void> {
    while (this.#saving.size > 0) await Promise.all(this.#saving);
  }

  /** Releases a chunk's in-flight slot once the store has it; the first failure stops the backup. */
  #track(saving: Promise<void>): void {
    saving.then(
      () => this.#inFlight.release(),
      (error: unknown) => {
        this.#failure ??= { error };
        this.#inFlight.release();
      },
    );
  }

  async #saveChunk(c: Uint8Array, id: Uint8Array, owned: boolean): Promise<void> {
    const length = c.length; // `c` is handed over and may be detached by a worker transfer
    const r = await this.repo.blobs.save('data', c, { id, owned });
    if (r.added) {
      this.summary.blobsNew++;
      this.summary.bytesAdded += length;
      this.summary.bytesStored += r.stored;
    }
  }

  async #loadTree(id: string): Promise<Map<string, TreeNode>> {
    try {
      const nodes = await this.repo.loadTree(id, this.o.signal);
      const map = new Map(nodes.map((n) => [n.name, n]));
      this.#loaded.set(map, id);
      return map;
    } catch (err) {
      if (this.o.signal?.aborted) throw err;
      this.#warn([], `parent tree ${id} unreadable; reading all files`, err);
      return new Map();
    }
  }

  #warn(p: readonly string[], message: string, cause: unknown): void {
    this.summary.errors++;
    this.#event({
      type: 'warning',
      path: p.join('/'),
      message: `${message}: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    });
  }

  #progress(p: readonly string[]): void {
    const now = Date.now();
    if (now - this.#lastProgress < 100) return;
    this.#lastProgress = now;
    const s = this.summary;
    this.#event({
      type: 'progress',
      filesDone: s.filesNew + s.filesChanged + s.filesUnchanged,
      bytesDone: s.bytesRead,
      bytesNew: s.bytesAdded,
      filesUnchanged: s.filesUnchanged,
      current: p.join('/'),
      elapsedMs: now - this.#t0,
    });
  }

  #event(e: BackupEvent): void {
    this.o.onEvent?.(e);
  }
}
