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
  job: RunJob,
  bytes: Uint8Array,
): Promise<Uint8Array[][]> {
  const { run, slots } = runOf(job, bytes);
  if (run.blobs.length === 0) return slots.map(() => []);
  const plains = await decoder.open(run, true);
  return slots.map((s) => s.map((i) => plains[i]!));
}

/**
 * Reads a file's blobs in order for streaming: runs of blobs that lie next to each other in one
 * pack are read with one request (up to `maxRun` bytes), the next run being read while the
 * current one is used. Yields each run (its bytes handed over) with its plaintext length. With
 * `buffers`, runs are read into them (a run is then `wholeBuffer` when read into one, for the
 * caller to hand back).
 */
export async function* streamRuns(
  store: Pick<BlobStore, 'index' | 'transport'>,
  content: readonly string[],
  signal: AbortSignal | undefined,
  maxRun: number,
  buffers?: ReadBuffers,
): AsyncGenerator<{ run: SealedRun; size: number }> {
  const runs = splitRuns(store, content, maxRun);
  const load = async (run: BlobLocation[]) => {
    const first = run[0]!;
    const last = run.at(-1)!;
    const key = objectKey('data', hex(first.pack));
    const range = { offset: first.offset, length: last.offset + last.length - first.offset };
    const { bytes, pooled } = buffers
      ? await buffers.read(range.length, (into) => store.transport.get(key, { signal, range, into }))
      : { bytes: await store.transport.get(key, { signal, range }), pooled: false };
    const blobs = run.map((l) => ({ ...l, offset: l.offset - first.offset }));
    const sealed: SealedRun = { bytes, blobs, where: key, ...(pooled ? { wholeBuffer: true } : {}) };
    return { run: sealed, size: run.reduce((n, l) => n + l.rawLength, 0) };
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
  content: readonly string[],
  signal: AbortSignal | undefined,
  maxRun: number,
): AsyncGenerator<Uint8Array> {
  for await (const { run } of streamRuns(store, content, signal, maxRun))
    yield* await decoder.open(run, true);
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
