// Reading index files and pack headers for the blob store. Internal: never re-exported.

import { unhex as fromHexId, hex } from '../../_bytes';
import { Limiter } from '../../_limiter';
import { IntegrityError, KluisError } from '../../errors';
import type { Transport } from '../../transport';
import {
  decodeIndexFile,
  decodeIndexFileColumns,
  type IndexFile,
  type IndexFileColumns,
  type IndexPack,
} from '../format/index-file';
import { kindPrefix, objectKey, objectName } from '../format/layout';
import { type PackEntry, readPackHeader } from '../format/pack';
import { AAD, type Sealer } from '../format/sealer';
import { type DamagedObject, isDamage, settleAll } from './damage';

/** What reading the repository's objects needs. */
export interface ObjectReader {
  readonly transport: Transport;
  readonly sealer: Sealer;
  readonly concurrency: number;
}

/**
 * Reads every index file, `concurrency` at a time, decoding each into columns and handing it to
 * `each` as soon as it is decoded, so only the files in flight are held at once. `listed` first
 * gets the total stored bytes of the index files (an upper bound for reserving room). Index files
 * that are damaged (hash, authentication or format) are returned instead of failing the read; a
 * vanished one (replaced by a prune meanwhile) is skipped; any other error rejects once no read is
 * left in flight.
 */
export async function forEachIndexFile(
  r: ObjectReader,
  signal: AbortSignal | undefined,
  listed: (bytes: number) => void,
  each: (id: string, file: IndexFileColumns) => void,
): Promise<DamagedObject[]> {
  const damaged: DamagedObject[] = [];
  const objects: { key: string; size: number }[] = [];
  for await (const o of r.transport.list(kindPrefix('index'), signal ? { signal } : {})) objects.push(o);
  listed(objects.reduce((sum, o) => sum + o.size, 0));
  const limit = new Limiter(Math.max(1, r.concurrency));
  await settleAll(
    objects.map(({ key }) =>
      limit.run(async () => {
        const id = objectName('index', key);
        try {
          const sealed = await getVerified(r, key, signal);
          each(id, decodeIndexFileColumns(r.sealer.open(sealed, AAD.index, key), key));
        } catch (e) {
          if (isDamage(e)) damaged.push({ key, message: e.message });
          else if (!KluisError.is(e, 'NOT_FOUND')) throw e;
        }
      }),
    ),
  );
  return damaged;
}

/**
 * The headers of the given packs, read with range reads of their tails. Packs that fail to
 * authenticate are skipped (check reports them, prune removes them); an abort is rethrown.
 */
export async function readPackHeaders(
  r: ObjectReader,
  packs: readonly { id: string; size: number }[],
  signal: AbortSignal | undefined,
): Promise<IndexPack[]> {
  const found: IndexPack[] = [];
  const limit = new Limiter(Math.max(1, r.concurrency));
  await Promise.all(
    packs.map(({ id, size }) =>
      limit.run(async () => {
        try {
          found.push({ id: fromHexId(id), blobs: await readHeader(r, id, size, signal) });
        } catch (e) {
          if (!KluisError.is(e) || KluisError.is(e, 'ABORTED')) throw e;
        }
      }),
    ),
  );
  return found;
}

/** Reads and authenticates a pack's header with range reads of its tail. */
export async function readHeader(
  r: ObjectReader,
  id: string,
  size: number,
  signal?: AbortSignal,
): Promise<PackEntry[]> {
  const key = objectKey('data', id);
  if (size < 48) throw new IntegrityError(key, 'a pack', `${size} bytes`);
  const tail = await r.transport.get(key, { signal, range: { offset: size - 4, length: 4 } });
  const hl = new DataView(tail.buffer, tail.byteOffset, 4).getUint32(0, true);
  if (hl + 4 > size) throw new IntegrityError(key, 'a header length within the pack', String(hl));
  const header = await r.transport.get(key, {
    signal,
    range: { offset: size - 4 - hl, length: hl + 4 },
  });
  return readPackHeader(r.sealer, header, key, size);
}

/** Reads, verifies and decodes one index file. */
export async function readIndexFile(r: ObjectReader, id: string, signal?: AbortSignal): Promise<IndexFile> {
  const key = objectKey('index', id);
  const sealed = await getVerified(r, key, signal);
  return decodeIndexFile(r.sealer.open(sealed, AAD.index, key), key);
}

/** Gets an object named by the SHA-256 of its bytes and checks that hash. */
export async function getVerified(r: ObjectReader, key: string, signal?: AbortSignal): Promise<Uint8Array> {
  const bytes = await r.transport.get(key, { signal });
  const actual = hex(r.sealer.sha256(bytes));
  const expected = key.slice(key.indexOf('/') + 1);
  if (actual !== expected) throw new IntegrityError(key, expected, actual);
  return bytes;
}
