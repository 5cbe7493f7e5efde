import type { AbortOptions } from '../transport';

// What the local transport's clean-up of temporary files takes and reports, apart from the
// transport itself, so that the directory walk doing the clean-up imports these types without
// importing the transport.

/** What {@link LocalTransport.removeStaleTempFiles} removed. */
export interface CleanupResult {
  /** Temporary files removed. */
  removed: number;
  /** Their total size in bytes. */
  bytes: number;
}

/** Options of {@link LocalTransport.removeStaleTempFiles}. */
export interface CleanupOptions extends AbortOptions {
  /** Only remove temporary files last modified at least this long ago, in ms. Default 1 hour. */
  olderThanMs?: number;
}
