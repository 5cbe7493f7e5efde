import pLimit from 'p-limit';
import { type ChunkerFactory, keyedGearTable, loadChunker, type StreamChunker } from '../chunker/index';
import { KluisError, throwIfAborted } from '../errors';
import { hex, unhex } from './_bytes';
import type { Repository } from './repository';
import type { Snapshot, SnapshotSummary } from './snapshot';
import type { BackupSource, SourceEntry } from './source';
import { decodeTree, encodeTree, isSafeName, type TreeNode } from './tree';

/** Progress and diagnostics reported while a backup runs. */
export type BackupEvent =
  | {
      type: 'progress';
      filesDone: number;
      bytesDone: number;
      bytesNew: number;
      filesUnchanged: number;
      current?: string;
      elapsedMs: number;
    }
  | { type: 'warning'; path: string; message: string; cause?: unknown }
  | { type: 'file'; path: string; status: 'new' | 'changed' | 'unchanged'; size: number };

/** Options of {@link backup}. */
export interface BackupOptions {
  /** Snapshot to compare against; unchanged files (size, mtime, ctime, inode) are not read again. `'latest'` picks the newest snapshot of the same host and paths. */
  parent?: string | 'latest' | undefined;
  host?: string;
  user?: string;
  tags?: string[];
  /** The snapshot time (default now) and the writer's zone offset (default the runtime's). */
  time?: Date;
  /** Files read in parallel. Default 4. */
  fileConcurrency?: number;
  onEvent?: (e: BackupEvent) => void;
  signal?: AbortSignal;
  /** Writer string recorded in the snapshot. */
  writer?: string;
}

/** Result of {@link backup}. */
export interface BackupResult {
  id: string;
  snapshot: Snapshot;
}

/**
 * Backs up a source into the repository and writes a snapshot. Files are chunked with FastCDC
 * (keyed gear table), deduplicated by keyed blob ID, compressed, encrypted and packed. With a
 * parent snapshot, unchanged files are not read. Unreadable entries are reported as warnings and
 * skipped. Aborting leaves the repository valid: uploaded packs are indexed and reused next time.
 *
 * @example
 * ```ts
 * const { id, snapshot } = await backup(repo, fsSource(['/home/me/docs']), { parent: 'latest', tags: ['daily'] });
 * ```
 */
export async function backup(
  repo: Repository,
  source: BackupSource,
  options: BackupOptions = {},
): Promise<BackupResult> {
  const started = new Date();
  await repo.blobs.loadIndex(options.signal);
  await repo.blobs.recoverUnindexedPacks(options.signal);
  const factory = await loadChunker();
  const run = new BackupRun(repo, source, factory, options);
  const parent = await findParent(repo, source, options);
  let tree: string;
  try {
    tree = await run.rootTree(parent?.snapshot.tree);
  } finally {
    // Whatever happened, index what was uploaded so the next backup reuses it.
    await repo.blobs.flush().catch((e: unknown) => {
      if (!options.signal?.aborted) throw e;
    });
  }
  const time = options.time ?? started;
  const snapshot: Snapshot = {
    time: time.toISOString(),
    offsetMinutes: -time.getTimezoneOffset(),
    host: options.host ?? '',
    user: options.user ?? '',
    paths: source.paths,
    tags: options.tags ?? [],
    tree,
    ...(parent ? { parent: parent.id } : {}),
    complete: true,
    summary: { ...run.summary, started: started.toISOString(), finished: new Date().toISOString() },
    writer: options.writer ?? 'kluis',
  };
  const id = await repo.snapshots.save(snapshot, options.signal);
  return { id, snapshot };
}

async function findParent(repo: Repository, source: BackupSource, o: BackupOptions) {
  if (o.parent === undefined) return undefined;
  if (o.parent !== 'latest') return repo.snapshots.resolve(o.parent, {}, o.signal);
  try {
    return await repo.snapshots.resolve('latest', { host: o.host ?? '', paths: source.paths }, o.signal);
  } catch (e) {
    if (KluisError.is(e, 'NOT_FOUND')) return undefined;
    throw e;
  }
}

class BackupRun {
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
  #limit: ReturnType<typeof pLimit>;
  #chunkers: StreamChunker[] = [];
  #gear: Uint32Array;
  #t0 = Date.now();
  #lastProgress = 0;

  constructor(
    readonly repo: Repository,
    readonly source: BackupSource,
    readonly factory: ChunkerFactory,
    readonly o: BackupOptions,
  ) {
    this.#limit = pLimit(o.fileConcurrency ?? 4);
    this.#gear = keyedGearTable(repo.chunkerKey);
  }

  async rootTree(parentTree: string | undefined): Promise<string> {
    const roots = await this.source.roots(this.o.signal);
    const names = new Set<string>();
    for (const r of roots) {
      if (!isSafeName(r.name) || names.has(r.name))
        throw new TypeError(`backup roots need distinct, safe names (got ${JSON.stringify(r.name)})`);
      names.add(r.name);
    }
    return this.#tree([], roots, parentTree);
  }

  async #tree(
    path: readonly string[],
    entries: SourceEntry[],
    parentTree: string | undefined,
  ): Promise<string> {
    throwIfAborted(this.o.signal);
    const previous = parentTree ? await this.#loadTree(parentTree) : new Map<string, TreeNode>();
    const nodes: (TreeNode | undefined)[] = [];
    const files: Promise<void>[] = [];
    for (const [i, e] of entries.entries()) {
      const p = [...path, e.name];
      if (e.type === 'file') {
        files.push(
          this.#limit(async () => {
            nodes[i] = await this.#file(p, e, previous.get(e.name));
          }),
        );
      } else if (e.type === 'dir') {
        nodes[i] = await this.#dir(p, e, previous.get(e.name));
      } else {
        nodes[i] = { ...meta(e), type: 'symlink', size: 0, target: e.target ?? '' };
      }
    }
    await Promise.all(files);
    const tree = encodeTree(nodes.filter((n): n is TreeNode => n !== undefined));
    const { id } = await this.repo.blobs.save('tree', tree);
    return hex(id);
  }

  async #dir(p: string[], e: SourceEntry, prev: TreeNode | undefined): Promise<TreeNode | undefined> {
    let children: SourceEntry[];
    try {
      children = await this.source.list(p, this.o.signal);
    } catch (err) {
      if (this.o.signal?.aborted) throw err;
      this.#warn(p, 'cannot list directory', err);
      return undefined;
    }
    this.summary.dirs++;
    const subtree = await this.#tree(p, children, prev?.type === 'dir' ? prev.subtree : undefined);
    return { ...meta(e), type: 'dir', size: 0, subtree };
  }

  async #file(p: string[], e: SourceEntry, prev: TreeNode | undefined): Promise<TreeNode | undefined> {
    this.summary.bytesTotal += e.size;
    if (prev && unchanged(prev, e) && prev.content!.every((c) => this.repo.blobs.has(unhex(c)))) {
      this.summary.filesUnchanged++;
      this.#event({ type: 'file', path: p.join('/'), status: 'unchanged', size: e.size });
      this.#progress(p);
      return { ...prev, ...meta(e), type: 'file' };
    }
    let content: string[];
    let size: number;
    try {
      ({ content, size } = await this.#chunkFile(p));
    } catch (err) {
      if (this.o.signal?.aborted || KluisError.is(err)) throw err;
      this.#warn(p, 'cannot read file', err);
      return undefined;
    }
    if (size !== e.size)
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

  async #chunkFile(p: string[]): Promise<{ content: string[]; size: number }> {
    const chunker =
      this.#chunkers.pop() ?? this.factory.create({ ...this.repo.config.chunker, gear: this.#gear });
    // Keep several chunks of this file encoding at once, so worker threads stay busy even on a
    // single large file; IDs are collected in order.
    const window = Math.max(2, this.repo.blobs.options.encoder.parallelism * 2);
    const ids: Promise<string>[] = [];
    let settled = 0;
    const submit = async (c: Uint8Array) => {
      const job = this.#saveChunk(c);
      job.catch(() => {}); // awaited below; avoid an unhandled rejection meanwhile
      ids.push(job);
      while (ids.length - settled > window) await ids[settled++];
    };
    let size = 0;
    try {
      for await (const buf of this.source.read(p, this.o.signal)) {
        throwIfAborted(this.o.signal);
        size += buf.length;
        this.summary.bytesRead += buf.length;
        for (const c of chunker.push(buf)) await submit(c);
        this.#progress(p);
      }
      for (const c of chunker.finish()) await submit(c);
      return { content: await Promise.all(ids), size };
    } catch (err) {
      chunker.finish();
      await Promise.allSettled(ids);
      throw err;
    } finally {
      this.#chunkers.push(chunker);
    }
  }

  async #saveChunk(c: Uint8Array): Promise<string> {
    const r = await this.repo.blobs.save('data', c);
    if (r.added) {
      this.summary.blobsNew++;
      this.summary.bytesAdded += c.length;
      this.summary.bytesStored += r.stored;
    }
    return hex(r.id);
  }

  async #loadTree(id: string): Promise<Map<string, TreeNode>> {
    try {
      const nodes = decodeTree(await this.repo.blobs.load(unhex(id), this.o.signal), `tree ${id}`);
      return new Map(nodes.map((n) => [n.name, n]));
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

function meta(e: SourceEntry): Pick<TreeNode, 'name' | 'mode' | 'mtime'> & Partial<TreeNode> {
  const n: Pick<TreeNode, 'name' | 'mode' | 'mtime'> & Partial<TreeNode> = {
    name: e.name,
    mode: e.mode & 0o7777,
    mtime: e.mtime,
  };
  if (e.uid !== undefined) n.uid = e.uid;
  if (e.gid !== undefined) n.gid = e.gid;
  if (e.inode !== undefined) n.inode = e.inode;
  if (e.ctime !== undefined) n.ctime = e.ctime;
  return n;
}

function unchanged(prev: TreeNode, e: SourceEntry): boolean {
  return (
    prev.type === 'file' &&
    prev.content !== undefined &&
    prev.size === e.size &&
    prev.mtime === e.mtime &&
    prev.ctime === e.ctime &&
    prev.inode === e.inode
  );
}
