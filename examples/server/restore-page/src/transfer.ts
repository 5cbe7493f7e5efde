// Downloads: a file streamed blob by blob, resumable after a lost connection from the first blob
// not yet written; a folder as a streamed zip. Bytes reach the sink only as `fileContent` yields
// them, and it yields a blob only after its ID (an HMAC over the plaintext) and its AEAD tag have
// been verified: a damaged blob stops the download before any of its bytes is written.
import { fileContent, KluisError, type TreeNode, walkTree } from '@kluis/core';
import { makeZip } from 'client-zip';
import type { Session } from './session';
import type { Sink } from './sinks';

/** Bytes done of a total (the total of a folder is known once its tree has been walked). */
export type OnProgress = (done: number, total: number) => void;

/** A file download that can go on after a failure from where it stopped. */
export class FileDownload {
  /** Blobs of the file already written to the sink. */
  #blobs = 0;
  #bytes = 0;

  constructor(
    private readonly session: Session,
    private readonly node: TreeNode,
    private readonly sink: Sink,
    private readonly onProgress: OnProgress,
  ) {}

  get bytesWritten(): number {
    return this.#bytes;
  }

  /** Writes the blobs not yet written, then closes the sink. Call again after a retryable failure. */
  async run(signal: AbortSignal): Promise<void> {
    const content = this.node.content ?? [];
    const rest: TreeNode = { ...this.node, content: content.slice(this.#blobs) };
    for await (const part of fileContent(this.session.repo, rest, { signal })) {
      await this.sink.write(part);
      this.#blobs++;
      this.#bytes += part.length;
      this.onProgress(this.#bytes, this.node.size);
    }
    if (this.#bytes !== this.node.size)
      throw new KluisError(
        'INTEGRITY',
        `${this.node.name}: ${this.#bytes} bytes restored, the snapshot says ${this.node.size}`,
      );
    await this.sink.close();
  }
}

/** Everything under a folder, walked first so the total size is known before the zip starts. */
export async function folderEntries(
  session: Session,
  dir: TreeNode,
  signal: AbortSignal,
): Promise<{ entries: { path: string; node: TreeNode }[]; total: number }> {
  if (dir.type !== 'dir' || !dir.subtree) throw new TypeError(`${dir.name} is not a folder`);
  const entries: { path: string; node: TreeNode }[] = [];
  let total = 0;
  const prefix = dir.name === '' ? undefined : dir.name;
  for await (const e of walkTree(session.repo, dir.subtree, prefix ? { signal, prefix } : { signal })) {
    entries.push(e);
    if (e.node.type === 'file') total += e.node.size;
  }
  return { entries, total };
}

/** Streams a folder as a zip (files stored as they are; folders kept, empty ones too; symlinks left out). */
export async function downloadFolder(
  session: Session,
  listing: { entries: { path: string; node: TreeNode }[]; total: number },
  sink: Sink,
  onProgress: OnProgress,
  signal: AbortSignal,
): Promise<void> {
  let done = 0;
  const counted = async function* (node: TreeNode) {
    for await (const part of fileContent(session.repo, node, { signal })) {
      done += part.length;
      onProgress(done, listing.total);
      yield part;
    }
  };
  const inputs = function* () {
    for (const { path, node } of listing.entries) {
      const lastModified = new Date(node.mtime);
      if (node.type === 'dir') yield { name: `${path}/`, lastModified };
      else if (node.type === 'file')
        yield { name: path, lastModified, size: node.size, input: counted(node), mode: node.mode };
    }
  };
  const reader = makeZip(inputs()).getReader();
  for (;;) {
    const { done: end, value } = await reader.read();
    if (end) break;
    await sink.write(value);
  }
  await sink.close();
}
