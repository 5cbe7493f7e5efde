// What `check` reports, apart from `check` itself, so that the tree checker it uses imports these
// types without importing `check`.

/** One problem found by `check`. */
export interface CheckProblem {
  kind: 'index' | 'snapshot' | 'tree' | 'missing-blob' | 'missing-pack' | 'pack';
  /** The object concerned (e.g. `data/ab12…`, `snapshots/…`, a blob ID). */
  object: string;
  message: string;
}

/** A file in a snapshot that a damaged or missing pack affects. */
export interface AffectedFile {
  snapshot: string;
  path: string;
}

/** Result of `check`. */
export interface CheckReport {
  ok: boolean;
  problems: CheckProblem[];
  /** Files of snapshots whose content lies in a damaged or missing pack. */
  affected: AffectedFile[];
  snapshots: number;
  packs: number;
  blobs: number;
  /** Packs present in storage but not in any index (left by an interrupted backup; prune removes them). */
  unindexedPacks: string[];
  /** Bytes read when `readData` is on. */
  bytesRead: number;
}
