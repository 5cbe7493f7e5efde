import { unhex } from '../_bytes';
import { KluisError, throwIfAborted } from '../errors';
import { type TarEntry, tarStream } from '../tar';
import type { TreeNode } from './format/tree';
import type { Repository } from './repository';
import { walkTree } from './walk';

/** Content blobs fetched ahead of the one being written (each at most the chunker's maximum). */
const READ_AHEAD = 4;

/**
 * The node at `path` in a snapshot's tree: `/`-separated names from the tree's root, as `ls`
 * prints them (`docs/notes.txt`); leading and trailing `/` are ignored. `undefined` when nothing
 * is there; the empty path (or `/`) is the root, returned as a directory node named `""`.
 *
 * @example
 * ```ts
 * const { snapshot } = await repo.snapshots.resolve('latest');
 * const node = await findPath(repo, snapshot.tree, 'docs/notes.txt');
 * if (node?.type === 'file') console.log(node.size);
 * ```
 */
export async function findPath(
  repo: Repository,
  treeId: string,
  path: string,
  options: { signal?: AbortSignal } = {},
): Promise<TreeNode | undefined> {
  await repo.blobs.loadIndex(options.signal, { tolerateDamage: true });
  let node: TreeNode = { name: '', type: 'dir', mode: 0o755, mtime: 0, size: 0, subtree: treeId };
  for (const name of path.split('/').filter((n) => n !== '' && n !== '.')) {
    if (node.type !== 'dir') return undefined;
    throwIfAborted(options.signal);
    const id = node.subtree!;
    const nodes = await repo.loadTree(id, options.signal);
    const next = nodes.find((n) => n.name === name);
    if (!next) return undefined;
    node = next;
  }
  return node;
}

/**
 * A file's bytes from the repository, in order, each blob verified against its ID as it is
 * loaded. A few blobs are fetched ahead, so reading from remote storage keeps the link busy.
 *
 * @example
 * ```ts
 * const node = await findPath(repo, snapshot.tree, 'db/dump.sql');
 * const parts: Uint8Array[] = [];
 * if (node?.type === 'file') for await (const part of fileContent(repo, node)) parts.push(part.slice());
 * ```
 */
export async function* fileContent(
  repo: Repository,
  node: TreeNode,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<Uint8Array> {
  if (node.type !== 'file') throw new TypeError(`${node.name} is a ${node.type}, not a file`);
  await repo.blobs.loadIndex(options.signal, { tolerateDamage: true });
  const ids = node.content ?? [];
  const pending: Promise<Uint8Array>[] = [];
  let next = 0;
  const fill = () => {
    while (next < ids.length && pending.length < READ_AHEAD) {
      const p = repo.blobs.load(unhex(ids[next++]!), options.signal);
      p.catch(() => {}); // awaited in order below
      pending.push(p);
    }
  };
  fill();
  while (pending.length > 0) {
    const part = await pending.shift()!;
    fill();
    yield part;
  }
}

/**
 * A node of a snapshot (a file, a symlink, or a directory with everything under it) as a tar
 * archive, streamed: see {@link tarStream}. Paths in the archive start with the node's name
 * (`name` overrides it; a root node without a name has none). Modes, times and owners are those
 * the snapshot recorded.
 *
 * @example
 * ```ts
 * const node = await findPath(repo, snapshot.tree, 'docs');
 * let size = 0;
 * if (node) for await (const part of dumpTar(repo, node)) size += part.length; // or write each part out
 * ```
 */
export function dumpTar(
  repo: Repository,
  node: TreeNode,
  options: { signal?: AbortSignal; name?: string } = {},
): AsyncGenerator<Uint8Array> {
  return tarStream(tarEntries(repo, node, options), options);
}

async function* tarEntries(
  repo: Repository,
  node: TreeNode,
  options: { signal?: AbortSignal; name?: string },
): AsyncGenerator<TarEntry> {
  await repo.blobs.loadIndex(options.signal, { tolerateDamage: true });
  const name = options.name ?? node.name;
  if (name !== '') yield tarEntry(repo, name, node, options.signal);
  if (node.type !== 'dir') return;
  if (!node.subtree) throw new KluisError('INVALID_DATA', `directory ${name} has no tree`);
  const walk = walkTree(repo, node.subtree, { signal: options.signal, prefix: name });
  for await (const { path, node: child } of walk) yield tarEntry(repo, path, child, options.signal);
}

function tarEntry(repo: Repository, path: string, n: TreeNode, signal: AbortSignal | undefined): TarEntry {
  const e: TarEntry = { path, type: n.type, mode: n.mode, mtime: n.mtime, size: n.size };
  if (n.uid !== undefined) e.uid = n.uid;
  if (n.gid !== undefined) e.gid = n.gid;
  if (n.user !== undefined) e.uname = n.user;
  if (n.group !== undefined) e.gname = n.group;
  if (n.type === 'symlink') e.target = n.target ?? '';
  if (n.type === 'file') e.content = fileContent(repo, n, signal ? { signal } : {});
  return e;
}
