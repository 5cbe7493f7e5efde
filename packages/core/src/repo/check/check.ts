import { hex } from '../../_bytes';
import { Limiter } from '../../_limiter';
import { KluisError, throwIfAborted } from '../../errors';
import { kindPrefix, objectKey, objectName } from '../format/layout';
import { type PackEntry, readPackHeader } from '../format/pack';
import type { Repository } from '../repository';
import { ReadBuffers } from '../store/read-buffers';
import { TreeChecker } from './_trees';
import type { CheckReport } from './report';

export type { AffectedFile, CheckProblem, CheckReport } from './report';

/** Options of {@link check}. */
export interface CheckOptions {
  /** Download every pack and verify every blob (decrypt, decompress, ID). */
  readData?: boolean;
  signal?: AbortSignal;
  onProgress?: (e: { phase: 'index' | 'snapshots' | 'packs'; done: number; total: number }) => void;
}

/**
 * Verifies the repository: index files and snapshots authenticate and parse, every tree of every
 * snapshot loads, every referenced blob is indexed and its pack exists with the right size; with
 * `readData`, every byte of every pack. Damage is reported as the exact files of the exact
 * snapshots it affects.
 *
 * @example
 * ```ts
 * const report = await check(repo, { readData: true });
 * if (!report.ok) for (const f of report.affected) console.log(f.snapshot, f.path);
 * ```
 */
export async function check(repo: Repository, options: CheckOptions = {}): Promise<CheckReport> {
  const r: CheckReport = {
    ok: true,
    problems: [],
    affected: [],
    snapshots: 0,
    packs: 0,
    blobs: 0,
    unindexedPacks: [],
    bytesRead: 0,
  };
  const signal = options.signal;
  await repo.blobs.loadIndex(signal, { tolerateDamage: true });
  for (const d of repo.blobs.damaged) r.problems.push({ kind: 'index', object: d.key, message: d.message });
  const stored = new Map<string, number>();
  for await (const o of repo.transport.list(kindPrefix('data'), { signal }))
    stored.set(objectName('data', o.key), o.size);
  const packs = new Map<string, { end: number; blobs: number }>();
  for (const loc of repo.blobs.index.entries()) {
    const p = hex(loc.pack);
    const e = packs.get(p) ?? { end: 0, blobs: 0 };
    e.end = Math.max(e.end, loc.offset + loc.length);
    e.blobs++;
    packs.set(p, e);
    r.blobs++;
  }
  r.packs = packs.size;
  const bad = new Set<string>();
  for (const [p, { end }] of packs) {
    const size = stored.get(p);
    if (size === undefined) {
      bad.add(p);
      r.problems.push({
        kind: 'missing-pack',
        object: objectKey('data', p),
        message: 'pack referenced by the index is missing',
      });
    } else if (size < end) {
      bad.add(p);
      r.problems.push({
        kind: 'pack',
        object: objectKey('data', p),
        message: `pack is ${size} bytes, index needs at least ${end}`,
      });
    }
  }
  r.unindexedPacks = [...stored.keys()].filter((p) => !packs.has(p) && !repo.blobs.garbage.has(p));
  if (options.readData) {
    const unlisted = await readAllPacks(repo, packs, stored, bad, r, options);
    if (unlisted.size > 0) reportUnlisted(repo, unlisted, bad, r);
  }
  await checkSnapshots(repo, bad, r, signal);
  r.ok = r.problems.length === 0;
  return r;
}

async function readAllPacks(
  repo: Repository,
  packs: Map<string, { blobs: number }>,
  sizes: ReadonlyMap<string, number>,
  bad: Set<string>,
  r: CheckReport,
  o: CheckOptions,
): Promise<Map<string, Set<string>>> {
  // Packs with index entries their header does not list: pack → the IDs the header lists.
  const unlisted = new Map<string, Set<string>>();
  // Reading runs ahead of opening: enough packs in flight to keep every decoder thread busy.
  const decoder = repo.decoder;
  const inFlight = Math.max(2, decoder.parallelism + 1);
  const limit = new Limiter(inFlight);
  // Packs are read into recycled buffers (see ReadBuffers), which the decoder hands back: without
  // them check --read-data took 5.2 CPU-s instead of 4.9 and 315 MB instead of 280 (508 MB mixed
  // tree, medians of four interleaved rounds on a loaded machine; see workerBlobDecoder).
  const buffers = new ReadBuffers(inFlight, 256 << 20);
  let done = 0;
  await Promise.all(
    [...packs.keys()]
      .filter((p) => !bad.has(p))
      .map((p) =>
        limit.run(async () => {
          throwIfAborted(o.signal);
          const key = objectKey('data', p);
          try {
            const { bytes, owned } = await buffers.read(sizes.get(p) ?? 0, (into) =>
              repo.transport.get(key, { signal: o.signal, into }),
            );
            r.bytesRead += bytes.length;
            // The header is read here (it is small); the pack's hash and every blob are checked
            // by the decoder, which may run on another thread.
            const blobs = readPackHeader(repo.sealer, bytes, key);
            const matched = compareWithIndex(repo, p, blobs, bad, r);
            if (matched < packs.get(p)!.blobs) unlisted.set(p, new Set(blobs.map((b) => hex(b.id))));
            buffers.give(await decoder.verify({ bytes, blobs, where: key, sha256: p }, owned));
          } catch (e) {
            if (!reportable(e)) throw e;
            bad.add(p);
            r.problems.push({ kind: 'pack', object: key, message: e.message });
          }
          o.onProgress?.({ phase: 'packs', done: ++done, total: packs.size });
        }),
      ),
  );
  return unlisted;
}

async function checkSnapshots(repo: Repository, bad: Set<string>, r: CheckReport, signal?: AbortSignal) {
  const ids: string[] = [];
  for await (const o of repo.transport.list(kindPrefix('snapshots'), { signal }))
    ids.push(objectName('snapshots', o.key));
  const trees = new TreeChecker(repo, bad, r, signal);
  for (const id of ids) {
    r.snapshots++;
    let tree: string;
    try {
      tree = (await repo.snapshots.load(id, signal)).snapshot.tree;
    } catch (e) {
      if (!reportable(e)) throw e;
      r.problems.push({ kind: 'snapshot', object: objectKey('snapshots', id), message: e.message });
      continue;
    }
    await trees.snapshot(id, tree);
  }
}

/**
 * Compares the index entries of the blobs a pack's (authenticated) header lists with the header:
 * the decoder verifies the blobs as the header describes them, so an index entry that differs in
 * any field would fail every read of its blob. Each difference is named and the blob counted as
 * damaged. Returns how many of the header's blobs the index places in this pack.
 */
function compareWithIndex(
  repo: Repository,
  pack: string,
  header: readonly PackEntry[],
  bad: Set<string>,
  r: CheckReport,
): number {
  let matched = 0;
  for (const h of header) {
    const loc = repo.blobs.index.get(h.id);
    if (!loc || hex(loc.pack) !== pack) continue; // indexed elsewhere (a duplicate), or not at all
    matched++;
    const fields = (['type', 'offset', 'length', 'rawLength', 'codec'] as const).filter(
      (f) => loc[f] !== h[f],
    );
    if (fields.length === 0) continue;
    const blob = hex(h.id);
    bad.add(blob); // like a blob in a damaged pack: every file using it is affected
    r.problems.push({
      kind: 'index',
      object: blob,
      message: `index entry disagrees with the header of data/${pack}: ${fields.map((f) => `${f} ${loc[f]} in the index, ${h[f]} in the pack`).join(', ')}`,
    });
  }
  return matched;
}

/** Reports index entries that place a blob in a pack whose header does not list it (one pass over the index). */
function reportUnlisted(
  repo: Repository,
  unlisted: Map<string, Set<string>>,
  bad: Set<string>,
  r: CheckReport,
) {
  for (const loc of repo.blobs.index.entries()) {
    const pack = hex(loc.pack);
    const listed = unlisted.get(pack);
    const blob = hex(loc.id);
    if (!listed || listed.has(blob)) continue;
    bad.add(blob);
    r.problems.push({
      kind: 'index',
      object: blob,
      message: `index entry places the blob in data/${pack}, whose header does not list it`,
    });
  }
}

/** Damage to report (a KluisError other than an abort); anything else propagates. */
function reportable(e: unknown): e is KluisError {
  return KluisError.is(e) && e.code !== 'ABORTED';
}
