// Groups the files of a restore into range reads. Internal: never re-exported.
import { equalBytes, hex, unhex } from '../../_bytes';
import { objectKey } from '../format/layout';
import type { TreeNode } from '../format/tree';
import type { BlobIndex, BlobLocation } from '../store/blob-index';
import type { DirState } from './_dirs';

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

/** Unneeded bytes a run may include (besides a quarter of its span): cheaper than another request. */
const MAX_WASTE = 64 << 10;
/** At most this many files share a run, so one slow run does not hold many directories open. */
const MAX_FILES = 256;

interface Span {
  pack: Uint8Array | undefined;
  start: number;
  end: number;
  /** Bytes of the blobs needed in the span (a blob used twice counts twice). */
  used: number;
}

/**
 * Plans reads in walk order. A backup stores the blobs of files read together in the same packs,
 * near each other (though not always in walk order), so many small files become one range request
 * over a region of a pack instead of one or more requests per file. A region is read only while
 * most of it is needed.
 */
export class ReadPlanner {
  #span: Span = { pack: undefined, start: 0, end: 0, used: 0 };
  #files: { job: FileJob; locs: BlobLocation[] }[] = [];

  constructor(
    readonly index: Pick<BlobIndex, 'get'>,
    readonly maxRun: number,
  ) {}

  /** Adds a file; returns the reads that are now complete (zero, one or two). */
  add(job: FileJob): ReadJob[] {
    const locs = this.#locate(job.node.content ?? []);
    if (!locs) return [{ kind: 'stream', job }];
    const own = spanOf(locs);
    const merged = own.pack === undefined ? this.#span : merge(this.#span, own);
    const fits = this.#files.length < MAX_FILES && merged !== undefined && this.#acceptable(merged);
    const out = fits ? [] : this.flush();
    this.#span = fits ? merged : own;
    this.#files.push({ job, locs });
    return out;
  }

  /** Ends the open run (at the end of the walk, or when the next file does not fit). */
  flush(): ReadJob[] {
    const { pack, start, end } = this.#span;
    const files = this.#files;
    this.#span = { pack: undefined, start: 0, end: 0, used: 0 };
    this.#files = [];
    if (files.length === 0) return [];
    const key = pack ? objectKey('data', hex(pack)) : '';
    return [{ kind: 'run', key, offset: start, length: end - start, files }];
  }

  #acceptable(s: Span): boolean {
    const length = s.end - s.start;
    return length <= this.maxRun && length - s.used <= MAX_WASTE + length / 4;
  }

  /** Locations of a file's blobs if they lie in one acceptable span of one pack, else undefined. */
  #locate(content: readonly string[]): BlobLocation[] | undefined {
    const locs: BlobLocation[] = [];
    for (const c of content) {
      const loc = this.index.get(unhex(c));
      if (!loc) return undefined; // the stream reports it as missing
      if (locs.length > 0 && !equalBytes(locs[0]!.pack, loc.pack)) return undefined;
      locs.push(loc);
    }
    return locs.length === 0 || this.#acceptable(spanOf(locs)) ? locs : undefined;
  }
}

function spanOf(locs: readonly BlobLocation[]): Span {
  const s: Span = { pack: locs[0]?.pack, start: Number.POSITIVE_INFINITY, end: 0, used: 0 };
  for (const l of locs) {
    s.start = Math.min(s.start, l.offset);
    s.end = Math.max(s.end, l.offset + l.length);
    s.used += l.length;
  }
  if (locs.length === 0) s.start = 0;
  return s;
}

/** The span covering both, or undefined when they are in different packs. */
function merge(a: Span, b: Span): Span | undefined {
  if (a.pack === undefined) return b;
  if (b.pack === undefined) return a;
  if (!equalBytes(a.pack, b.pack)) return undefined;
  return {
    pack: a.pack,
    start: Math.min(a.start, b.start),
    end: Math.max(a.end, b.end),
    used: a.used + b.used,
  };
}
