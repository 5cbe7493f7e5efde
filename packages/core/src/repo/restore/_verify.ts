// Read-back verification of restored files. Internal: never re-exported.

import { hex, unhex } from '../../_bytes';
import { KluisError } from '../../errors';
import type { TreeNode } from '../format/tree';
import type { Repository } from '../repository';

/** Reads a restored file back and checks that it re-cuts into exactly the snapshot's blob IDs. */
export async function verifyRestored(
  repo: Repository,
  read: AsyncIterable<Uint8Array>,
  path: readonly string[],
  node: TreeNode,
): Promise<void> {
  const content = node.content ?? [];
  const sizes = content.map((c) => {
    const loc = repo.blobs.index.get(unhex(c));
    if (!loc) throw new KluisError('NOT_FOUND', `blob ${c} missing from the index`);
    return loc.rawLength;
  });
  const ids = await readBackIds(read, sizes, (b) => hex(repo.blobId(b)));
  if (ids.length !== content.length || ids.some((id, i) => id !== content[i])) {
    throw new KluisError('INTEGRITY', `restored file ${path.join('/')} does not match the snapshot`);
  }
}

/** Re-cuts a byte stream at the given sizes and maps each piece to its ID; a length mismatch yields extra/missing IDs. */
async function readBackIds(
  stream: AsyncIterable<Uint8Array>,
  sizes: number[],
  id: (b: Uint8Array) => string,
): Promise<string[]> {
  const ids: string[] = [];
  let buf = new Uint8Array(0);
  let k = 0;
  for await (const part of stream) {
    const joined = new Uint8Array(buf.length + part.length);
    joined.set(buf);
    joined.set(part, buf.length);
    buf = joined;
    while (k < sizes.length && buf.length >= sizes[k]!) {
      ids.push(id(buf.subarray(0, sizes[k]!)));
      buf = buf.slice(sizes[k]!);
      k++;
    }
  }
  if (buf.length > 0 || k < sizes.length) ids.push('mismatch');
  return ids;
}
