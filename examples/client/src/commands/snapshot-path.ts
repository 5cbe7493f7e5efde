import type { Snapshot } from '@kluis/core';

/**
 * A path inside a snapshot's tree from what a user types: the tree path `ls` prints
 * (`data/doc/a.txt`), or the path as backed up, under one of the snapshot's `paths`
 * (`/home/me/data/doc/a.txt`), whose root entry is named by the path's last segment.
 */
export function treePath(snapshot: Snapshot, typed: string): string {
  const clean = typed.replace(/\/+$/, '') || '/';
  for (const p of snapshot.paths) {
    const base = p.replace(/\/+$/, '');
    if (base === '' || !(clean === base || clean.startsWith(`${base}/`))) continue;
    const name = base.slice(base.lastIndexOf('/') + 1) || 'root';
    return name + clean.slice(base.length);
  }
  return clean.replace(/^\/+/, '');
}
