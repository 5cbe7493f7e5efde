// Collects the small blobs of one turn of the event loop into one job for an encoder thread.
// Internal: used by workerBlobEncoder.

import type { BlobType } from '../repo/format/layout';
import type { EncodedBlob } from '../repo/store/blob-encoder';
import type { WorkerPool } from './_worker-pool';

/** Bytes of plaintext per batch; a blob above half of it travels alone. */
export const BATCH_BYTES = 1 << 20;

/** A batch as an encoder thread receives it: plaintexts end to end, with their types and IDs. */
export interface BatchJob {
  kind: 'batch';
  bytes: Uint8Array;
  /** End offset of each blob in `bytes`. */
  ends: Uint32Array;
  /** 1 for a tree blob, 0 for data. */
  trees: Uint8Array;
  /** The blobs' IDs, 32 bytes each. */
  ids: Uint8Array;
  /** A buffer of an earlier answer, handed back for the sealed blobs (when it is large enough). */
  out?: ArrayBuffer | undefined;
}

/** Room for the sealed blobs of any batch of up to `BATCH_BYTES` (their nonces and tags included). */
export const SEALED_BYTES = BATCH_BYTES + (64 << 10);

/**
 * What the thread answers: the sealed blobs end to end (a view of a `SEALED_BYTES` buffer, or of
 * a larger one for a batch of very many tiny blobs), and `bytes` handed back for reuse.
 */
export interface BatchReply {
  codecs: Uint8Array;
  ends: Uint32Array;
  sealed: Uint8Array;
  bytes: Uint8Array;
}

interface Pending {
  type: BlobType;
  id: Uint8Array;
  end: number;
  resolve: (e: EncodedBlob) => void;
  reject: (e: unknown) => void;
}

/**
 * Copies each blob into the current batch at once (so the caller may reuse its buffer as soon as
 * `add` returns) and posts the batch to the least busy thread when it is full or at the end of
 * the turn. One message per batch instead of one per blob: waking a thread, and being woken,
 * costs more than encoding a small chunk. Batch buffers come back with the answer and are reused;
 * so are the answers' buffers, once the store has copied every blob in one into a pack
 * (`EncodedBlob.release`): fresh memory costs a page fault per 4 KiB.
 */
export class EncodeBatcher {
  #bytes: Uint8Array | undefined;
  #used = 0;
  #pending: Pending[] = [];
  #scheduled = false;
  #free: ArrayBuffer[] = [];
  /** Answer buffers whose every blob was released (copied into a pack): sealed into again. */
  #sealedFree: ArrayBuffer[] = [];

  constructor(readonly pool: WorkerPool<unknown>) {}

  add(type: BlobType, id: Uint8Array, plain: Uint8Array): Promise<EncodedBlob> {
    if (this.#bytes && this.#used + plain.length > this.#bytes.length) this.flush();
    this.#bytes ??= new Uint8Array(this.#free.pop() ?? new ArrayBuffer(BATCH_BYTES));
    this.#bytes.set(plain, this.#used);
    this.#used += plain.length;
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.flush();
      });
    }
    return new Promise((resolve, reject) => {
      this.#pending.push({ type, id, end: this.#used, resolve, reject });
    });
  }

  /** Posts the current batch, if any. */
  flush(): void {
    const bytes = this.#bytes;
    const pending = this.#pending;
    if (!bytes || pending.length === 0) return;
    this.#bytes = undefined;
    this.#used = 0;
    this.#pending = [];
    const n = pending.length;
    const ends = new Uint32Array(n);
    const trees = new Uint8Array(n);
    const ids = new Uint8Array(n * 32);
    for (let i = 0; i < n; i++) {
      const p = pending[i]!;
      ends[i] = p.end;
      trees[i] = p.type === 'tree' ? 1 : 0;
      ids.set(p.id, i * 32);
    }
    const out = this.#sealedFree.pop();
    const job: BatchJob = { kind: 'batch', bytes, ends, trees, ids, out };
    const moves = out ? [bytes.buffer as ArrayBuffer, out] : [bytes.buffer as ArrayBuffer];
    (this.pool.run(job, moves, true) as Promise<BatchReply>).then(
      (r) => {
        if (this.#free.length < 8) this.#free.push(r.bytes.buffer as ArrayBuffer);
        // The answer's buffer is sealed into again once every blob in it has been released.
        let held = n;
        const answer = r.sealed.buffer as ArrayBuffer;
        const reusable = answer.byteLength === SEALED_BYTES;
        for (let i = 0, start = 0; i < n; start = r.ends[i]!, i++) {
          let released = false;
          const release = () => {
            if (released) return;
            released = true;
            if (--held === 0 && reusable && this.#sealedFree.length < 8) this.#sealedFree.push(answer);
          };
          pending[i]!.resolve({ codec: r.codecs[i]!, sealed: r.sealed.subarray(start, r.ends[i]), release });
        }
      },
      (e: unknown) => {
        for (const p of pending) p.reject(e);
      },
    );
  }
}
