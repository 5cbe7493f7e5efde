// A repository index of millions of blobs without backing up millions of chunks, for the scale
// case (npm run bench -- scale with KLUIS_BENCH_SCALE_INDEX_BLOBS). The index files are real ones,
// encoded by core's own index-file encoder and sealed with the repository's keys through its blob
// store, so kluis loads them as it loads any other; the packs they name exist only as index entries
// (nothing ever reads those blobs: a backup only looks IDs up). `kluis check` would report the
// packs missing, which is why this is a benchmark tool and never a way to build a repository.
import { randomFillSync } from 'node:crypto';
import { openRepository } from '@kluis/core';
import type { IndexPack } from '@kluis/core/format';
import { localTransport, nativeCrypto } from '@kluis/core/node';

/** What {@link addSyntheticIndex} wrote. */
export interface SyntheticIndex {
  blobs: number;
  files: number;
  /** Bytes of the sealed index files written. */
  bytes: number;
  seconds: number;
}

/**
 * Adds `blobs` random blob entries to the local repository at `root`, in index files of
 * `packsPerFile` packs of `blobsPerPack` blobs each (the shape kluis's own writer gives a backup of
 * many small files: four ~16 MiB packs per index file, ~1 KiB per blob). Blob and pack IDs are
 * random bytes, so they are spread over the ID space as keyed HMACs are.
 */
export async function addSyntheticIndex(
  root: string,
  password: string,
  blobs: number,
  o: { blobsPerPack?: number; packsPerFile?: number } = {},
): Promise<SyntheticIndex> {
  const blobsPerPack = o.blobsPerPack ?? 16_384;
  const packsPerFile = o.packsPerFile ?? 4;
  const started = performance.now();
  const transport = localTransport({ root });
  const repo = await openRepository(transport, { password, crypto: nativeCrypto });
  let left = blobs;
  let files = 0;
  let bytes = 0;
  try {
    while (left > 0) {
      const packs: IndexPack[] = [];
      for (let p = 0; p < packsPerFile && left > 0; p++) {
        const n = Math.min(blobsPerPack, left);
        left -= n;
        packs.push(syntheticPack(n));
      }
      const id = await repo.blobs.writeIndexFile({ packs, garbage: [], supersedes: [] });
      const stat = await transport.stat(`index/${id}`);
      bytes += stat?.size ?? 0;
      files++;
    }
  } finally {
    await repo.close();
  }
  return { blobs, files, bytes, seconds: (performance.now() - started) / 1000 };
}

/** A pack of `n` data blobs of 100–1,700 stored bytes, laid end to end. */
function syntheticPack(n: number): IndexPack {
  const random = new Uint8Array(32 * (n + 1) + 2 * n);
  randomFillSync(random);
  const lengths = new Uint16Array(random.buffer, 32 * (n + 1), n);
  const blobs: IndexPack['blobs'] = new Array(n);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const length = 100 + (lengths[i]! % 1600);
    blobs[i] = {
      id: random.subarray(32 * (i + 1), 32 * (i + 2)),
      type: 'data',
      codec: 0,
      offset,
      length,
      rawLength: length - 40,
    };
    offset += length;
  }
  return { id: random.subarray(0, 32), blobs };
}
