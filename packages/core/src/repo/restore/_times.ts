// Modification times from (untrusted) trees, made safe to apply. Internal: never re-exported.
import type { TreeNode } from '../format/tree';

/** 1601-01-01T00:00:00Z: the earliest time every file system kluis restores to can hold (NTFS). */
export const MIN_MTIME = -11_644_473_600_000;
/** 9999-12-31T23:59:59.999Z: far below where `utimes` fails (`EINVAL` from about 2^63 seconds). */
export const MAX_MTIME = 253_402_300_799_999;

/**
 * `node` with an mtime every target can apply, and a one-line warning when it had to be changed.
 * Tree validation lets any finite number through (a damaged or hostile tree can say `1e300`),
 * which `utimes` refuses with a bare `EINVAL`: such a time is clamped to the nearest bound, and
 * the file is restored with its content intact.
 */
export function safeTimes(node: TreeNode): { node: TreeNode; warning?: string } {
  const t = node.mtime;
  if (t >= MIN_MTIME && t <= MAX_MTIME) return { node };
  const mtime = t > MAX_MTIME ? MAX_MTIME : MIN_MTIME; // NaN, which no tree can hold, goes low
  return {
    node: { ...node, mtime },
    warning: `modification time ${t} is outside the years 1601-9999 (damaged tree?); set to ${new Date(mtime).toISOString()}`,
  };
}
