// Groups the files of a restore into range reads. Internal: never re-exported.
import { equalBytes, hex, unhex } from './_bytes';
import type { DirState } from './_restore-dirs';
import type { BlobIndex, BlobLocation } from './blob-index';
import type { BlobStore } from './blob-store';
import type { TreeNode } from './tree';

/** A file to write: where, its node, and the directory that waits for it. */
export interface FileJob {
  readonly path: string[];
  readonly node: TreeNode;
  readonly dir: DirState;
}

/**
 * One unit of reading: a `run` is a byte range of one pack holding every blob of one or more
 * files (read with one request); a `stream` is a file whose blobs are scattered or too large for
 * one run, loaded run by run as it is written.
 */
export type ReadJob =
  | {
      kind: 'run';
      key: string;
      offset: number;
      length: number;
      files: { job: FileJob; locs: BlobLocation[] }[];
    }
  | { kind: 'stream'; job: FileJob };

/** Largest gap of unneeded bytes read to keep two files in one run (cheaper than another request). */
const MAX_GAP = 64 << 10;
/** At most this many files share a run, so one slow run does not hold many directories open. */
const MAX_FILES = 256;

interface OpenRun {
  pack: Uint8Array | undefined;
  start: number;
  end: number;
  files: { job: FileJob; locs: BlobLocation[] }[];
}

/**
 * Plans reads in walk order. A backup stores blobs in the order it reads files, so files that sit
 * next to each other in a tree usually sit next to each other in a pack: many small files become
 * one range request instead of one (or more) per file.
 */
export class ReadPlanner {
  #run: OpenRun = { pack: undefined, start: 0, end: 0, files: [] };

  constructor(
    readonly index: Pick<BlobIndex, 'get'>,
    readonly maxRun: number,
  ) {}

  /** Adds a file; returns the reads that are now complete (zero, one or two). */
  add(job: FileJob): ReadJob[] {
    const locs = this.#locate(job.node.content ?? []);
    if (!locs) return [{ kind: 'stream', job }];
    const run = this.#run;
    const first = locs[0];
    const last = locs.at(-1);
    if (!first || !last) {
      run.files.push({ job, locs });
      return run.files.length >= MAX_FILES ? this.flush() : [];
    }
    const fits =
      run.files.length < MAX_FILES &&
      (run.pack === undefined ||
        (equalBytes(run.pack, first.pack) &&
          first.offset >= run.end &&
          first.offset - run.end <= MAX_GAP &&
          last.offset + last.length - run.start <= this.maxRun));
    const out = fits ? [] : this.flush();
    const open = this.#run;
    if (open.pack === undefined) {
      open.pack = first.pack;
      open.start = first.offset;
    }
    open.end = last.offset + last.length;
    open.files.push({ job, locs });
    return out;
  }

  /** Ends the open run (at the end of the walk, or when the next file does not fit). */
  flush(): ReadJob[] {
    const run = this.#run;
    this.#run = { pack: undefined, start: 0, end: 0, files: [] };
    if (run.files.length === 0) return [];
    const key = run.pack ? `data/${hex(run.pack)}` : '';
    return [{ kind: 'run', key, offset: run.start, length: run.end - run.start, files: run.files }];
  }

  /** Locations of a file's blobs if they form one run of at most `maxRun` bytes, else undefined. */
  #locate(content: readonly string[]): BlobLocation[] | undefined {
    const locs: BlobLocation[] = [];
    for (const c of content) {
      const loc = this.index.get(unhex(c));
      const prev = locs.at(-1);
      if (!loc) return undefined; // the stream reports it as missing
      if (prev && (!equalBytes(prev.pack, loc.pack) || loc.offset < prev.offset + prev.length))
        return undefined;
      if (prev && loc.offset - (prev.offset + prev.length) > MAX_GAP) return undefined;
      if (locs.length > 0 && loc.offset + loc.length - locs[0]!.offset > this.maxRun) return undefined;
      locs.push(loc);
    }
    return locs;
  }
}

/** Decodes one file's blobs out of the bytes read for its run; each is verified before it is yielded. */
export async function* openFromRun(
  blobs: Pick<BlobStore, 'openBlob'>,
  run: { key: string; offset: number },
  bytes: Uint8Array,
  locs: readonly BlobLocation[],
): AsyncGenerator<Uint8Array> {
  for (const l of locs) {
    const sealed = bytes.subarray(l.offset - run.offset, l.offset - run.offset + l.length);
    yield await blobs.openBlob(l.type, l.id, sealed, l.codec, l.rawLength, run.key);
  }
}

/**
 * Runs `fn` over `items`, at most `limit` at once, in order. After a failure it starts nothing
 * more, waits for those running, and rethrows the first failure.
 */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const active = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for (const item of items) {
    while (active.size >= limit) await Promise.race(active);
    if (failure) break;
    const p: Promise<void> = (async () => fn(item))()
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => active.delete(p));
    active.add(p);
  }
  await Promise.all(active);
  if (failure) throw failure.error;
}
