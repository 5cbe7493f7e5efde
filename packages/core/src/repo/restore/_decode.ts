// Opening the blobs of a restore through the repository's decoder. Internal: never re-exported.

import { equalBytes, hex, unhex } from '../../_bytes';
import { KluisError } from '../../errors';
import { objectKey } from '../format/layout';
import type { BlobDecoder, RunBlob, SealedRun } from '../store/blob-decoder';
import type { BlobLocation } from '../store/blob-index';
import type { BlobStore } from '../store/blob-store';
import type { ReadBuffers } from '../store/read-buffers';
import type { ReadJob } from './_plan';

type RunJob = Extract<ReadJob, { kind: 'run' }>;

/**
 * The sealed run of a read job (a blob two files share appears once) and, for each file, the
 * indexes of its blobs in the run.
 */
export function runOf(job: RunJob, bytes: Uint8Array): { run: SealedRun; slots: number[][] } {
  const blobs: RunBlob[] = [];
  const at = new Map<number, number>(); // offset in the run → index in blobs
  const slots = job.files.map(({ locs }) =>
    locs.map((l) => {
      const offset = l.offset - job.offset;
      let i = at.get(offset);
      if (i === undefined) {
        i = blobs.push({ ...l, offset }) - 1;
        at.set(offset, i);
      }
      return i;
    }),
  );
  return { run: { bytes, blobs, where: job.key }, slots };
}

/**
 * Opens every blob of a run with one call to the decoder (on worker threads when the repository
 * has them; a blob two files share is opened once) and returns each file's plaintext chunks. The
 * decoder authenticates each blob and checks its ID before anything is handed back.
 */
export async function openRunFiles(
  decoder: BlobDecoder,
  buffers: ReadBuffers,
  read: ReadRun,
  slots: readonly number[][],
): Promise<Uint8Array[][]> {
  if (read.run.blobs.length === 0) return slots.map(() => []);
  const plains = await openRead(decoder, buffers, read);
  return slots.map((s) => s.map((i) => plains[i]!));
}

/** A run as read, and whether all of its buffer is the caller's (see `ReadBuffers.read`). */
export interface ReadRun {
  run: SealedRun;
  owned: boolean;
}

/**
 * Reads `length` bytes of `key` from `offset` for a run, into a recycled buffer when the read is
 * large enough: every read of a restore goes this way, and its buffer goes back to `buffers`
 * once the decoder is done with it (`openRead`, or what `writeFiles` hands back).
 */
export async function readBytes(
  store: Pick<BlobStore, 'transport'>,
  buffers: ReadBuffers,
  key: string,
  range: { offset: number; length: number },
  signal: AbortSignal | undefined,
): Promise<{ bytes: Uint8Array; owned: boolean }> {
  if (range.length === 0) return { bytes: new Uint8Array(0), owned: false };
  return buffers.read(range.length, (into) => store.transport.get(key, { signal, range, into }));
}

/**
 * Opens a run through the decoder, then hands its buffer back to `buffers` when the caller owned
 * it: plaintexts never alias the run's bytes, and a buffer the decoder moved to a thread is
 * detached by then (and ignored).
 */
async function openRead(decoder: BlobDecoder, buffers: ReadBuffers, read: ReadRun): Promise<Uint8Array[]> {
  const plains = await decoder.open(read.run, read.owned);
  if (read.owned) buffers.give(read.run.bytes);
  return plains;
}

/**
 * Reads a file's blobs in order for streaming: runs of blobs that lie next to each other in one
 * pack are read with one request (up to `maxRun` bytes, see `readBytes`), the next run being read
 * while the current one is used. Yields each run with its plaintext length.
 */
export async function* streamRuns(
  store: Pick<BlobStore, 'index' | 'transport'>,
  buffers: ReadBuffers,
  content: readonly string[],
  signal: AbortSignal | undefined,
  maxRun: number,
): AsyncGenerator<ReadRun & { size: number }> {
  const runs = splitRuns(store, content, maxRun);
  const load = async (run: BlobLocation[]) => {
    const first = run[0]!;
    const last = run.at(-1)!;
    const key = objectKey('data', hex(first.pack));
    const range = { offset: first.offset, length: last.offset + last.length - first.offset };
    const { bytes, owned } = await readBytes(store, buffers, key, range, signal);
    const blobs = run.map((l) => ({ ...l, offset: l.offset - first.offset }));
    return { run: { bytes, blobs, where: key }, owned, size: run.reduce((n, l) => n + l.rawLength, 0) };
  };
  let next = runs.length > 0 ? load(runs[0]!) : undefined;
  for (let k = 0; next; k++) {
    const current = next;
    next = k + 1 < runs.length ? load(runs[k + 1]!) : undefined;
    next?.catch(() => {}); // rethrown when its turn comes
    yield await current;
  }
}

/** A file's plaintext chunks in order, each run of them opened by the decoder (see streamRuns). */
export async function* streamBlobs(
  store: Pick<BlobStore, 'index' | 'transport'>,
  decoder: BlobDecoder,
  buffers: ReadBuffers,
  content: readonly string[],
  signal: AbortSignal | undefined,
  maxRun: number,
): AsyncGenerator<Uint8Array> {
  for await (const read of streamRuns(store, buffers, content, signal, maxRun))
    yield* await openRead(decoder, buffers, read);
}

/** Cuts a file's blob list into runs of adjacent blobs of one pack, at most `maxRun` bytes each. */
function splitRuns(
  store: Pick<BlobStore, 'index'>,
  content: readonly string[],
  maxRun: number,
): BlobLocation[][] {
  const runs: BlobLocation[][] = [];
  let run: BlobLocation[] = [];
  for (const c of content) {
    const loc = store.index.get(unhex(c));
    if (!loc) throw new KluisError('NOT_FOUND', `blob ${c} is not in the index`);
    const prev = run.at(-1);
    const adjacent =
      prev !== undefined &&
      equalBytes(prev.pack, loc.pack) &&
      loc.offset === prev.offset + prev.length &&
      loc.offset + loc.length - run[0]!.offset <= maxRun;
    if (!adjacent && run.length > 0) {
      runs.push(run);
      run = [];
    }
    run.push(loc);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
