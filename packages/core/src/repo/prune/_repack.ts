import { hex } from '../../_bytes';
import { throwIfAborted } from '../../errors';
import type { IndexPack } from '../format/index-file';
import { type BlobType, objectKey } from '../format/layout';
import { PackBufferPool, PackWriter } from '../format/pack';
import type { Repository } from '../repository';
import type { RepackJob } from './_plan';

/**
 * Copies the live blobs of the packs in `jobs` into new packs, as they are stored (sealed blobs
 * are bound to their ID and type, not to a pack, so they move unchanged). Each source pack is read
 * whole and checked against its name (SHA-256), and every blob copied is opened and its ID
 * verified first, so a damaged pack is never copied over a good one. Returns the new packs, each
 * uploaded before it is returned; none is indexed yet.
 */
export async function repackBlobs(
  repo: Repository,
  jobs: RepackJob[],
  signal?: AbortSignal,
): Promise<IndexPack[]> {
  const packSize = repo.blobs.options.packSize;
  const pool = new PackBufferPool(packSize + (1 << 20), 1);
  const writers: Record<BlobType, PackWriter> = {
    data: new PackWriter(repo.sealer, 'data', pool),
    tree: new PackWriter(repo.sealer, 'tree', new PackBufferPool(1 << 20, 1)),
  };
  const written: IndexPack[] = [];
  const upload = async (w: PackWriter) => {
    const { bytes, entries } = w.finish();
    const id = repo.sealer.sha256(bytes);
    try {
      await repo.transport.put(objectKey('data', hex(id)), bytes, { signal });
    } finally {
      w.pool.give(bytes.buffer as ArrayBuffer);
    }
    written.push({ id, blobs: entries });
  };
  for (const job of jobs) {
    throwIfAborted(signal);
    if (job.copy.length === 0) continue;
    const key = objectKey('data', job.key);
    const pack = await repo.blobs.getVerified(key, signal);
    for (const b of job.copy) {
      const sealed = pack.subarray(b.offset, b.offset + b.length);
      await repo.blobs.openBlob(b.type, b.id, sealed, b.codec, b.rawLength, key);
      const w = writers[b.type];
      if (b.type === 'data' && w.count > 0 && !w.fits(sealed.length)) await upload(w);
      w.add({ codec: b.codec, id: b.id, rawLength: b.rawLength }, sealed);
      if (w.size >= packSize) await upload(w);
    }
  }
  for (const w of Object.values(writers)) if (w.count > 0) await upload(w);
  return written;
}
