import { KluisError, restore } from '@kluis/core';
import { fsTarget } from '@kluis/core/node';
import ignore, { type Ignore } from 'ignore';
import type { Context } from '../context';
import { warnDamagedIndex } from '../damage';
import { EXIT, UsageError } from '../errors';
import { bytes, seconds, short } from '../format';
import type { Options } from '../options';
import { ProgressBar } from '../progress';
import { includePatterns } from '../snapshot-paths';

export const restoreOptions = {
  target: {
    type: 'string',
    short: 't',
    arg: 'DIR',
    help: 'Restore into this directory (created if missing); paths keep their place under it.',
  },
  include: {
    type: 'string',
    multiple: true,
    short: 'i',
    arg: 'P',
    help: 'Restore only what matches: a path as snapshots shows it or relative to the snapshot, or a gitignore pattern.',
  },
  verify: { type: 'boolean', help: 'Read every restored file back and compare it with the snapshot.' },
} as const satisfies Options;

export async function restoreCommand(ctx: Context): Promise<number> {
  const ref = ctx.positionals[0];
  const target = ctx.values.target as string | undefined;
  if (!ref || !target)
    throw new UsageError('restore needs a SNAPSHOT (ID, prefix or latest) and --target DIR');
  const patterns = (ctx.values.include as string[] | undefined) ?? [];
  const repo = await ctx.openRepo();
  await repo.blobs.loadIndex(undefined, { tolerateDamage: true });
  warnDamagedIndex(ctx, repo);
  const resolved = await repo.snapshots.resolve(ref);
  const includes = patterns.map((p) => ({
    pattern: p,
    ig: ignore().add(includePatterns(p, resolved.snapshot.paths)),
    matched: false,
  }));
  const include = patterns.length
    ? (path: string, node: { type: string }) => {
        let wanted = false;
        for (const i of includes) if (matches(i.ig, path, node.type)) wanted = i.matched = true;
        return wanted;
      }
    : undefined;
  const bar = new ProgressBar(ctx.io, include ? undefined : resolved.snapshot.summary.bytesTotal);
  const t0 = Date.now();
  const warnings: { path: string; message: string }[] = [];
  const notRestored: string[] = [];
  const r = await restore(repo, resolved.id, fsTarget(target), {
    ...(include ? { include } : {}),
    verify: ctx.values.verify === true,
    onEvent: (e) => {
      if (e.type === 'warning') warnings.push({ path: e.path, message: e.message });
      if (e.type === 'not-restored') notRestored.push(e.path);
      if (!ctx.json) bar.restore(e);
    },
    ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
  }).catch((e: unknown) => {
    bar.stop();
    throw stopped(e, notRestored);
  });
  bar.stop();
  const unmatched = includes.filter((i) => !i.matched).map((i) => i.pattern);
  if (ctx.json) ctx.printJson({ snapshot: resolved.id, target, ...r, warnings, unmatched });
  ctx.print(
    `restored snapshot ${short(resolved.id)} to ${target}: ${r.files} files, ${r.dirs} dirs, ${r.symlinks} symlinks, ${bytes(r.bytes)} in ${seconds(Date.now() - t0)}` +
      (ctx.values.verify ? `; ${r.verified} files verified` : ''),
  );
  for (const p of unmatched)
    ctx.io.stderr(
      `kluis: --include ${JSON.stringify(p)} matched nothing in snapshot ${short(resolved.id)} (its paths: ${resolved.snapshot.paths.join(' ')}; kluis ls ${short(resolved.id)} lists them)\n`,
    );
  return unmatched.length ? EXIT.error : EXIT.ok;
}

/** Whether `path` or one of its ancestors matches (a directory pattern `dir/` matches below it). */
function matches(ig: Ignore, path: string, type: string): boolean {
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const p = parts.slice(0, i).join('/');
    if (ig.ignores(p) || (i < parts.length || type === 'dir' ? ig.ignores(`${p}/`) : false)) return true;
  }
  return false;
}

/**
 * The error that stopped a restore, saying which files were left out: those being written are
 * named (each also on its own `not restored:` line); files already restored are complete.
 */
function stopped(e: unknown, notRestored: readonly string[]): unknown {
  if (!KluisError.is(e) || notRestored.length === 0) return e;
  const names = notRestored.slice(0, 3).join(', ') + (notRestored.length > 3 ? ', …' : '');
  return new KluisError(
    e.code,
    `${e.message}; restore stopped: ${notRestored.length} file(s) in progress not restored (${names}), files not reached not restored either, files already restored are complete`,
    { cause: e, retryable: e.retryable },
  );
}
