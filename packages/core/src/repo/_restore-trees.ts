// Tree loading with look-ahead for restore. Internal: never re-exported.
import pLimit from 'p-limit';
import { KluisError } from '../errors';
import { equalBytes, hex, unhex } from './_bytes';
import type { BlobLocation } from './blob-index';
import type { BlobStore } from './blob-store';
import { decodeTree, type TreeNode } from './tree';

/** Bytes of a pack read around a wanted tree blob. */
const WINDOW = 512 << 10;
/** Windows kept (at most WINDOW bytes each). */
const WINDOWS = 16;

interface Window {
  pack: Uint8Array;
  start: number;
  end: number;
  bytes: Promise<Uint8Array>;
}

/**
 * Loads and decodes tree blobs, prefetching the subtrees of a directory as soon as it is listed
 * (with bounded concurrency) so the walk rarely waits for a read. A prefetched tree is kept until
 * the walk asks for it; identical subtrees (the same ID listed twice) are loaded once per request.
 *
 * Tree blobs are small and a backup stores the trees of neighbouring directories near each other,
 * so a load reads a window of the pack around the wanted blob and keeps it: the walk then finds
 * most subtrees already read, and makes a few requests instead of one per directory.
 */
export class TreeLoader {
  #limit: ReturnType<typeof pLimit>;
  #ahead = new Map<string, { tree: Promise<TreeNode[]>; wanted: number }>();
  #windows: Window[] = [];
  #packSizes = new Map<string, Promise<number>>();

  constructor(
    readonly blobs: Pick<BlobStore, 'load' | 'index' | 'transport' | 'openBlob'>,
    concurrency: number,
    readonly signal: AbortSignal | undefined,
  ) {
    this.#limit = pLimit(Math.max(1, concurrency));
  }

  /** Starts loading the subtrees listed in `nodes`. */
  prefetch(nodes: readonly TreeNode[]): void {
    for (const n of nodes) {
      if (n.type !== 'dir' || n.subtree === undefined) continue;
      const ahead = this.#ahead.get(n.subtree);
      if (ahead) {
        ahead.wanted++;
        continue;
      }
      const id = n.subtree;
      const tree = this.#limit(() => this.#load(id));
      tree.catch(() => {}); // reported when the walk gets to it
      this.#ahead.set(id, { tree, wanted: 1 });
    }
  }

  /** The decoded tree `id`, from the look-ahead if it was prefetched. */
  get(id: string): Promise<TreeNode[]> {
    const ahead = this.#ahead.get(id);
    if (!ahead) return this.#load(id);
    if (--ahead.wanted === 0) this.#ahead.delete(id);
    return ahead.tree;
  }

  /** Drops look-ahead that will never be used (after a failure). */
  clear(): void {
    // Queued loads are left to run: the walk may be waiting for one, and stops after it settles.
    this.#ahead.clear();
    this.#windows = [];
  }

  async #load(id: string): Promise<TreeNode[]> {
    const loc = this.blobs.index.get(unhex(id));
    if (!loc || loc.length > WINDOW)
      return decodeTree(await this.blobs.load(unhex(id), this.signal), `tree ${id}`);
    const w = this.#window(loc, await this.#packSize(loc));
    const at = loc.offset - w.start;
    const sealed = (await w.bytes).subarray(at, at + loc.length);
    const key = `data/${hex(loc.pack)}`;
    const plain = await this.blobs.openBlob(loc.type, loc.id, sealed, loc.codec, loc.rawLength, key);
    return decodeTree(plain, `tree ${id}`);
  }

  /** A kept window holding the blob, or a new one around it (the oldest is dropped). */
  #window(loc: BlobLocation, packSize: number): Window {
    const found = this.#windows.find(
      (w) => w.start <= loc.offset && loc.offset + loc.length <= w.end && equalBytes(w.pack, loc.pack),
    );
    if (found) return found;
    const start = Math.max(0, Math.min(loc.offset - WINDOW / 4, packSize - WINDOW));
    const end = Math.max(loc.offset + loc.length, Math.min(packSize, start + WINDOW));
    const bytes = this.blobs.transport.get(`data/${hex(loc.pack)}`, {
      signal: this.signal,
      range: { offset: start, length: end - start },
    });
    const w = { pack: loc.pack, start, end, bytes };
    bytes.catch(() => {
      this.#windows = this.#windows.filter((x) => x !== w); // a failed read is not kept
    });
    this.#windows.push(w);
    if (this.#windows.length > WINDOWS) this.#windows.shift();
    return w;
  }

  /** A pack's size (asked once per pack), so a window never reaches past its end. */
  #packSize(loc: BlobLocation): Promise<number> {
    const key = `data/${hex(loc.pack)}`;
    let size = this.#packSizes.get(key);
    if (!size) {
      size = this.blobs.transport.stat(key, { signal: this.signal }).then((info) => {
        if (!info) throw new KluisError('NOT_FOUND', `pack ${key} is missing (run \`kluis check\`)`);
        return info.size;
      });
      size.catch(() => this.#packSizes.delete(key));
      this.#packSizes.set(key, size);
    }
    return size;
  }
}
