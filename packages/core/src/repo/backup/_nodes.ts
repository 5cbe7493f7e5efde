// Small pieces of a backup's walk: tree-node metadata from a source entry, change detection. Internal.

import type { TreeNode } from '../format/tree';
import type { SourceEntry } from './source';

/** A result still being computed, boxed so that awaiting the walk does not wait for it. */
export interface Later<T> {
  value: Promise<T>;
}

/** The tree-node fields a source entry determines (name, mode, mtime, owner, inode, ctime). */
export function meta(e: SourceEntry): Pick<TreeNode, 'name' | 'mode' | 'mtime'> & Partial<TreeNode> {
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

/** Whether a file is as the parent snapshot recorded it (size, mtime, ctime, inode), so it need not be read. */
export function unchanged(prev: TreeNode, e: SourceEntry): boolean {
  return (
    prev.type === 'file' &&
    !e.streamed &&
    prev.content !== undefined &&
    prev.size === e.size &&
    prev.mtime === e.mtime &&
    prev.ctime === e.ctime &&
    prev.inode === e.inode
  );
}

/** Boxes a promise that is awaited later; a rejection meanwhile is not reported as unhandled. */
export function later<T>(value: Promise<T>): Later<T> {
  value.catch(() => {});
  return { value };
}

/**
 * Whether `nodes` are exactly the entries of a parent tree, in the same order: then the directory
 * encodes to that tree again. Tree nodes hold only primitives and arrays of strings.
 */
export function sameNodes(nodes: readonly TreeNode[], previous: ReadonlyMap<string, TreeNode>): boolean {
  if (nodes.length !== previous.size) return false;
  let i = 0;
  for (const p of previous.values()) if (!sameNode(nodes[i++]!, p)) return false;
  return true;
}

function sameNode(a: TreeNode, b: TreeNode): boolean {
  const keys = Object.keys(a) as (keyof TreeNode)[];
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}
