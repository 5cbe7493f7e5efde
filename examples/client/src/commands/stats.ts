import type { Context } from '../context';
import { warnDamaged, warnDamagedIndex } from '../damage';
import { EXIT } from '../errors';
import { bytes } from '../format';
import type { Options } from '../options';

export const statsOptions = {} as const satisfies Options;

export async function stats(ctx: Context): Promise<number> {
  const repo = await ctx.openRepo();
  await repo.blobs.loadIndex(undefined, { tolerateDamage: true });
  warnDamagedIndex(ctx, repo);
  const { snapshots: snaps, damaged } = await repo.snapshots.scan();
  warnDamaged(ctx, 'snapshot', damaged);
  let stored = 0;
  let objects = 0;
  for (const prefix of ['data/', 'index/', 'snapshots/', 'keys/']) {
    for await (const o of repo.transport.list(prefix)) {
      stored += o.size;
      objects++;
    }
  }
  let raw = 0;
  for (const b of repo.blobs.index.entries()) if (b.type === 'data') raw += b.rawLength;
  const logical = snaps.reduce((n, s) => n + s.snapshot.summary.bytesTotal, 0);
  const r = {
    snapshots: snaps.length,
    blobs: repo.blobs.index.size,
    packs: repo.blobs.index.packCount,
    objects,
    logicalBytes: logical,
    uniqueBytes: raw,
    storedBytes: stored,
    dedupRatio: raw ? logical / raw : 0,
    compressionRatio: stored ? raw / stored : 0,
    indexMemoryBytes: repo.blobs.index.memoryBytes,
  };
  if (ctx.json) ctx.printJson(r);
  else {
    ctx.print(`snapshots:          ${r.snapshots}`);
    ctx.print(`total in snapshots: ${bytes(r.logicalBytes)}`);
    ctx.print(
      `unique data:        ${bytes(r.uniqueBytes)} in ${r.blobs} blobs (deduplication ${r.dedupRatio.toFixed(2)}×)`,
    );
    ctx.print(
      `stored:             ${bytes(r.storedBytes)} in ${r.objects} objects, ${r.packs} packs (compression ${r.compressionRatio.toFixed(2)}×)`,
    );
  }
  return EXIT.ok;
}
