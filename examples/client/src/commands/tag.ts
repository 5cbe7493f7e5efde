import { tagSnapshots } from '@kluis/core';
import type { Context } from '../context';
import { EXIT, UsageError } from '../errors';
import { short } from '../format';
import type { Options } from '../options';

export const tagOptions = {
  add: { type: 'string', multiple: true, arg: 'T', help: 'Add this tag to each snapshot named.' },
  remove: { type: 'string', multiple: true, arg: 'T', help: 'Remove this tag from each snapshot named.' },
  set: {
    type: 'string',
    multiple: true,
    arg: 'T',
    help: 'Replace the tags of each snapshot named with these.',
  },
} as const satisfies Options;

/**
 * `kluis tag --add T | --remove T | --set T SNAPSHOT...`: as restic, each changed snapshot is
 * written anew (with `original` naming the first) and the old file removed.
 */
export async function tag(ctx: Context): Promise<number> {
  const list = (k: string) => (ctx.values[k] as string[] | undefined) ?? [];
  const [add, remove, set] = [list('add'), list('remove'), list('set')];
  if (add.length + remove.length + set.length === 0)
    throw new UsageError('tag needs --add T, --remove T or --set T');
  if (set.length > 0 && add.length + remove.length > 0)
    throw new UsageError('--set replaces all tags: give it alone, or use --add and --remove');
  if (ctx.positionals.length === 0)
    throw new UsageError('tag needs at least one SNAPSHOT (an ID, a prefix, or latest)');
  const repo = await ctx.openRepo();
  const ids = [];
  for (const ref of ctx.positionals) ids.push((await repo.snapshots.resolve(ref)).id);
  const results = await tagSnapshots(repo, ids, {
    ...(add.length ? { add } : {}),
    ...(remove.length ? { remove } : {}),
    // `--set ''` clears the tags.
    ...(ctx.values.set !== undefined ? { set: set.filter((t) => t !== '') } : {}),
    ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
  });
  if (ctx.json) ctx.printJson(results);
  for (const r of results)
    ctx.print(
      r.from === r.to
        ? `snapshot ${short(r.from)} unchanged (tags: ${r.tags.join(',') || 'none'})`
        : `snapshot ${short(r.from)} is now ${short(r.to)} (tags: ${r.tags.join(',') || 'none'})`,
    );
  return EXIT.ok;
}
