// What a snapshot's trees claim, bounded before a restore writes anything. Internal: never re-exported.
import { KluisError, throwIfAborted } from '../errors';
import { unhex } from './_bytes';
import type { BlobStore } from './blob-store';
import { decodeTree, type TreeNode } from './tree';

/** Totals of a tree: entries (files, directories, symlinks) and file bytes below it. */
interface Claim {
  entries: number;
  bytes: number;
}

interface Frame extends Claim {
  tree: string;
  nodes: TreeNode[];
  next: number;
}

/**
 * Adds up the entries and file bytes a snapshot's trees claim, walking each distinct tree blob
 * once (a tree named twice counts twice, but is read once), and fails with `INVALID_DATA` as soon
 * as either passes its bound. Trees name subtrees by ID, so a few kilobytes of trees can claim
 * 2^40 files (a tree that names the level below twice, 40 levels deep): without this bound a
 * restore of such a snapshot would run without end. A tree that cannot be read counts as empty
 * here; the restore reports it when (and if) it gets there.
 */
export async function checkClaim(
  blobs: Pick<BlobStore, 'load'>,
  root: string,
  limits: { maxEntries: number; maxBytes: number },
  signal: AbortSignal | undefined,
): Promise<Claim> {
  const totals = new Map<string, Claim>();
  const load = async (id: string): Promise<TreeNode[]> => {
    try {
      return decodeTree(await blobs.load(unhex(id), signal), `tree ${id}`);
    } catch (e) {
      if (!KluisError.is(e) || e.code === 'ABORTED') throw e;
      return [];
    }
  };
  const stack: Frame[] = [{ tree: root, nodes: await load(root), next: 0, entries: 0, bytes: 0 }];
  for (;;) {
    throwIfAborted(signal);
    const f = stack.at(-1)!;
    const n = f.nodes[f.next++];
    if (n === undefined) {
      stack.pop();
      totals.set(f.tree, { entries: f.entries, bytes: f.bytes });
      const parent = stack.at(-1);
      if (!parent) return f;
      count(parent, f, limits);
      continue;
    }
    count(f, { entries: 1, bytes: n.type === 'file' ? n.size : 0 }, limits);
    if (n.type !== 'dir') continue;
    const known = totals.get(n.subtree!);
    if (known) count(f, known, limits);
    else if (!stack.some((s) => s.tree === n.subtree))
      stack.push({ tree: n.subtree!, nodes: await load(n.subtree!), next: 0, entries: 0, bytes: 0 });
  }
}

function count(into: Claim, add: Claim, limits: { maxEntries: number; maxBytes: number }): void {
  into.entries += add.entries;
  into.bytes += add.bytes;
  if (into.entries > limits.maxEntries)
    throw new KluisError(
      'INVALID_DATA',
      `snapshot claims more than ${limits.maxEntries} entries (its trees name the same subtrees over and over?): run \`kluis check\`, or raise maxEntries if it is real`,
    );
  if (into.bytes > limits.maxBytes)
    throw new KluisError(
      'INVALID_DATA',
      `snapshot claims more than ${limits.maxBytes} bytes of files: run \`kluis check\`, or raise maxBytes if it is real`,
    );
}
