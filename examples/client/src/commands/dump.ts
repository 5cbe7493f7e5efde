import { dumpTar, fileContent, findPath } from '@kluis/core';
import type { Context } from '../context';
import { EXIT, UsageError } from '../errors';
import type { Options } from '../options';
import { treePaths } from '../snapshot-paths';

export const dumpOptions = {} as const satisfies Options;

/**
 * `kluis dump SNAPSHOT PATH`: a file's bytes, or a directory (or the whole snapshot, PATH `/`)
 * as a tar archive, on standard output — restic's `dump`.
 */
export async function dump(ctx: Context): Promise<number> {
  const [ref, typed] = ctx.positionals;
  if (!ref || typed === undefined)
    throw new UsageError('dump needs a SNAPSHOT and a PATH (`/` for all of it)');
  const write = ctx.io.stdoutBytes;
  if (!write) throw new UsageError('dump needs a standard output for bytes');
  const repo = await ctx.openRepo();
  const signal = ctx.io.signal ? { signal: ctx.io.signal } : {};
  const { snapshot } = await repo.snapshots.resolve(ref);
  // `/` is the whole snapshot; any other path in the forms `ls` and `restore --include` take.
  const candidates = typed.replace(/\/+$/, '') === '' ? [''] : treePaths(typed, snapshot.paths);
  let node: Awaited<ReturnType<typeof findPath>>;
  for (const path of candidates) {
    node = await findPath(repo, snapshot.tree, path, signal);
    if (node) break;
  }
  if (!node)
    throw new UsageError(
      `no ${JSON.stringify(typed)} in snapshot ${ref} (its paths: ${snapshot.paths.join(', ')}; \`kluis ls ${ref}\` lists them)`,
    );
  const parts = node.type === 'file' ? fileContent(repo, node, signal) : dumpTar(repo, node, signal);
  for await (const part of parts) if (!(await write(part))) break; // the reader has gone
  return EXIT.ok;
}
