// The options and progress events of `backup`, apart from `backup` itself, so that the run it
// starts imports these types without importing `backup`.

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
