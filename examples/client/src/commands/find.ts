import { findFiles, globMatcher, type SnapshotRef } from '@kluis/core';
import type { Context } from '../context';
import { warnDamaged } from '../damage';
import { EXIT, UsageError } from '../errors';
import { short } from '../format';
import type { Options } from '../options';

export const findOptions = {
  snapshot: {
    type: 'string',
    multiple: true,
    short: 's',
    arg: 'ID',
    help: 'Search only this snapshot (default: every snapshot).',
  },
  host: { type: 'string', arg: 'H', help: 'Search only snapshots of this host.' },
  tag: { type: 'string', multiple: true, arg: 'T', help: 'Search only snapshots with this tag.' },
  'ignore-case': { type: 'boolean', short: 'i', help: 'Match patterns without regard to case.' },
} as const satisfies Options;

interface Match {
  snapshot: string;
  time: string;
  path: string;
  type: string;
  size: number;
  mtime: string;
}

/**
 * `kluis find PATTERN...`: entries whose name (or, for a pattern with `/`, whole path) matches,
 * snapshot by snapshot, as restic's `find`. Exit 1 when nothing matches (as grep), so scripts can tell.
 */
export async function find(ctx: Context): Promise<number> {
  if (ctx.positionals.length === 0) throw new UsageError('find needs a PATTERN (e.g. "*.sql")');
  const ignoreCase = ctx.values['ignore-case'] === true;
  const patterns = ctx.positionals.map((p) => {
    try {
      return { p, match: globMatcher(p, { ignoreCase }) };
    } catch (e) {
      throw e instanceof TypeError ? new UsageError(e.message) : e;
    }
  });
  const repo = await ctx.openRepo();
  const snapshots = await selected(ctx);
  const matches: Match[] = [];
  let heading: string | undefined;
  for (const s of snapshots) {
    // One walk per snapshot for all patterns: '**' matches every path, then each pattern filters.
    for await (const { path, node } of findFiles(repo, '**', {
      snapshots: [s],
      ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
    })) {
      if (!patterns.some(({ match }) => match(path))) continue;
      const m: Match = {
        snapshot: s.id,
        time: s.snapshot.time,
        path,
        type: node.type,
        size: node.size,
        mtime: new Date(node.mtime).toISOString(),
      };
      matches.push(m);
      if (ctx.json) continue;
      if (heading !== s.id) {
        heading = s.id;
        ctx.print(
          `${matches.length > 1 ? '\n' : ''}snapshot ${short(s.id)} of ${s.snapshot.time} (${s.snapshot.host}):`,
        );
      }
      ctx.print(
        `  ${node.type === 'dir' ? 'd' : node.type === 'symlink' ? 'l' : '-'} ${String(node.size).padStart(12)} ${m.mtime} ${path}`,
      );
    }
  }
  if (ctx.json) ctx.printJson(matches);
  if (matches.length === 0) {
    ctx.io.stderr(`kluis: nothing matches ${ctx.positionals.join(' ')} in ${snapshots.length} snapshot(s)\n`);
    return EXIT.error;
  }
  return EXIT.ok;
}

async function selected(ctx: Context): Promise<SnapshotRef[]> {
  const repo = await ctx.openRepo();
  const refs = (ctx.values.snapshot as string[] | undefined) ?? [];
  if (refs.length > 0) return Promise.all(refs.map((r) => repo.snapshots.resolve(r)));
  const { snapshots, damaged } = await repo.snapshots.scan();
  warnDamaged(ctx, 'snapshot', damaged);
  const tags = (ctx.values.tag as string[] | undefined) ?? [];
  return snapshots.filter(
    (s) =>
      (ctx.values.host === undefined || s.snapshot.host === ctx.values.host) &&
      tags.every((t) => s.snapshot.tags.includes(t)),
  );
}
