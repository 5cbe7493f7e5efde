import { KluisError, measureTree, walkTree } from '@kluis/core';
import type { Context } from '../context';
import { warnDamaged, warnDamagedIndex } from '../damage';
import { EXIT, UsageError } from '../errors';
import { bytes, short, table, timestamp } from '../format';
import type { Options } from '../options';
import { treePaths } from '../snapshot-paths';

export const snapshotsOptions = {
  host: { type: 'string', arg: 'H', help: 'Only the snapshots of this host.' },
  tag: { type: 'string', multiple: true, arg: 'T', help: 'Only the snapshots with this tag.' },
} as const satisfies Options;

export async function snapshots(ctx: Context): Promise<number> {
  const repo = await ctx.openRepo();
  const tags = (ctx.values.tag as string[] | undefined) ?? [];
  const { snapshots: found, damaged } = await repo.snapshots.scan();
  warnDamaged(ctx, 'snapshot', damaged);
  const all = found.filter(
    (s) =>
      (ctx.values.host === undefined || s.snapshot.host === ctx.values.host) &&
      tags.every((t) => s.snapshot.tags.includes(t)),
  );
  if (ctx.json) {
    ctx.printJson(all.map((s) => ({ id: s.id, ...s.snapshot })));
    return EXIT.ok;
  }
  const rows = [['ID', 'Time', 'Host', 'Tags', 'Size', 'Paths']];
  for (const { id, snapshot: s } of all) {
    rows.push([
      short(id),
      timestamp(s.time),
      s.host,
      s.tags.join(','),
      bytes(s.summary.bytesTotal),
      s.paths.join(' '),
    ]);
  }
  ctx.io.stdout(table(rows));
  ctx.print(`${all.length} snapshot${all.length === 1 ? '' : 's'}`);
  return EXIT.ok;
}

export const lsOptions = {} as const satisfies Options;

export async function ls(ctx: Context): Promise<number> {
  const [ref, prefix] = ctx.positionals;
  if (!ref) throw new UsageError('ls needs a SNAPSHOT (an ID, a prefix, or latest)');
  const repo = await ctx.openRepo();
  await repo.blobs.loadIndex(undefined, { tolerateDamage: true });
  warnDamagedIndex(ctx, repo);
  const { id, snapshot } = await repo.snapshots.resolve(ref);
  await measureTree(repo.blobs, snapshot.tree); // refuses a snapshot whose trees claim absurd numbers
  const wanted = prefix === undefined ? [''] : treePaths(prefix, snapshot.paths).filter((p) => p !== '');
  const under = (path: string) =>
    prefix === undefined || wanted.some((w) => path === w || path.startsWith(`${w}/`));
  const entries: { path: string; type: string; size: number; mode: string; mtime: string }[] = [];
  for await (const { path, node } of walkTree(repo, snapshot.tree)) {
    if (!under(path)) continue;
    entries.push({
      path,
      type: node.type,
      size: node.size,
      mode: node.mode.toString(8).padStart(4, '0'),
      mtime: new Date(node.mtime).toISOString(),
    });
  }
  if (prefix !== undefined && entries.length === 0)
    throw new KluisError(
      'NOT_FOUND',
      `${prefix} is not in snapshot ${short(id)} (its paths: ${snapshot.paths.join(' ')}; give a path under one of them, or relative to it)`,
    );
  if (ctx.json) ctx.printJson({ snapshot: id, entries });
  else
    for (const e of entries)
      ctx.print(
        `${e.type === 'dir' ? 'd' : e.type === 'symlink' ? 'l' : '-'} ${e.mode} ${String(e.size).padStart(12)} ${timestamp(e.mtime)} ${e.path}`,
      );
  return EXIT.ok;
}
