/** Metadata of one file-system entry handed to a backup. */
export interface SourceEntry {
  /** One path segment (no `/`). */
  name: string;
  type: 'file' | 'dir' | 'symlink';
  /** Permission bits (`mode & 0o7777`). */
  mode: number;
  /** Modification time, ms since the epoch. */
  mtime: number;
  /** Size in bytes (files); 0 when `streamed`. */
  size: number;
  /**
   * The size is known only once the bytes are read (a pipe, a database dump): the backup records
   * the size it read, with no "file changed while being read" warning.
   */
  streamed?: boolean;
  /** Status-change time and inode, when the source has them: used to skip unchanged files. */
  ctime?: number;
  inode?: number;
  /** Symlink target. */
  target?: string;
  uid?: number;
  gid?: number;
}

/**
 * Where a backup reads from. Paths are arrays of names from the snapshot root: the first name is
 * one of {@link BackupSource.roots}. The Node file-system source is `fsSource` in
 * `@kluis/core/node`; anything else (a browser `FileSystemDirectoryHandle`, a database export, a
 * zip file) can implement this interface.
 *
 * @example
 * ```ts
 * const source: BackupSource = {
 *   paths: ['notes'],
 *   async roots() { return [{ name: 'notes', type: 'dir', mode: 0o755, mtime: Date.now(), size: 0 }]; },
 *   async list() { return [{ name: 'a.txt', type: 'file', mode: 0o644, mtime: 0, size: 5 }]; },
 *   async *read() { yield new TextEncoder().encode('hello'); },
 * };
 * ```
 */
export interface BackupSource {
  /** The paths recorded in the snapshot (as the user gave them). */
  readonly paths: string[];
  /** The top-level entries, one per backed-up path; their names must differ. */
  roots(signal?: AbortSignal): Promise<SourceEntry[]>;
  /** The entries of a directory. Excluded entries are simply not returned. */
  list(path: readonly string[], signal?: AbortSignal): Promise<SourceEntry[]>;
  /** A file's bytes. Buffers handed out may be reused by the source after the next iteration. */
  read(path: readonly string[], signal?: AbortSignal): AsyncIterable<Uint8Array>;
  /**
   * Optional: where a file is on the local file system, for an encoder that reads whole files on
   * other threads (`BlobEncoder.files`); `undefined` (or no method) when it is not a plain local
   * file, and the backup reads it through `read`. Such a file must read the same either way.
   */
  localPath?(path: readonly string[]): string | undefined;
}
