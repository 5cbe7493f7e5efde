/**
 * One stored object that could not be read because its bytes are damaged (failed its hash or
 * authentication, or is malformed). Reported by `BlobStore.damaged`, `SnapshotStore.scan` and
 * `check`; the other objects are still used.
 *
 * @example
 * ```ts
 * const { damaged } = await repo.snapshots.scan();
 * for (const d of damaged) console.warn(`${d.key}: ${d.message}`);
 * ```
 */
export interface DamagedObject {
  /** Object key, e.g. `index/ab12…` or `snapshots/ab12…`. */
  key: string;
  /** Why it could not be read (one line). */
  message: string;
}
