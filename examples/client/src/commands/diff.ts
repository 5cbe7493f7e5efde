import { measureTree, type Repository, type TreeNode } from '@kluis/core';
import type { Context } from '../context';
import { warnDamagedIndex } from '../damage';
import { EXIT, UsageError } from '../errors';
import type { Options } from '../options';

export const diffOptions = {} as const satisfies Options;

type Change = { path: string; change: 'added' | 'removed' | 'modified' };

export async function diff(ctx: Context): Promise<number> {
  const [a, b] = ctx.positionals;
  if (!a || !b) throw new UsageError('diff needs two snapshots');
  const repo = await ctx.openRepo();
  await repo.blobs.loadIndex(undefined, { tolerateDamage: true });
  warnDamagedIndex(ctx, repo);
  const [sa, sb] = [await repo.snapshots.resolve(a), await repo.snapshots.resolve(b)];
  // Refuses snapshots whose trees claim absurd numbers, which a diff would walk without end.
  for (const s of [sa, sb]) await measureTree(repo.blobs, s.snapshot.tree);
  const changes: Change[] = [];
  await compareTrees(repo, sa.snapshot.tree, sb.snapshot.tree, '', changes);
  if (ctx.json) ctx.printJson({ from: sa.id, to: sb.id, changes });
  else {
    for (const c of changes)
      ctx.print(`${c.change === 'added' ? '+' : c.change === 'removed' ? '-' : 'M'} ${c.path}`);
    const count = (k: Change['change']) => changes.filter((c) => c.change === k).length;
    ctx.print(`${count('added')} added, ${count('removed')} removed, ${count('modified')} modified`);
  }
  return EXIT.ok;
}

async function load(repo: Repository, id: string | undefined): Promise<Map<string, TreeNode>> {
  if (!id) return new Map();
  const nodes = await repo.loadTree(id);
  return new Map(nodes.map((n) => [n.name, n]));
}

/** Compares two trees, skipping identical subtrees by ID (identical directories share a tree blob). */
async function compareTrees(
  repo: Repository,
  a: string | undefined,
  b: string | undefined,
  prefix: string,
  out: Change[],
): Promise<void> {
  if (a === b) return;
  const [ta, tb] = [await load(repo, a), await load(repo, b)];
  const names = [...new Set([...ta.keys(), ...tb.keys()])].sort();
  for (const name of names) {
    const path = prefix ? `${prefix}/${name}` : name;
    const x = ta.get(name);
    const y = tb.get(name);
    if (!x || !y || x.type !== y.type) {
      if (x) await report(repo, x, path, 'removed', out);
      if (y) await report(repo, y, path, 'added', out);
    } else if (x.type === 'dir') {
      if (x.mode !== y.mode) out.push({ path: `${path}/`, change: 'modified' });
      await compareTrees(repo, x.subtree, y.subtree, path, out);
    } else if (
      x.mode !== y.mode ||
      x.target !== y.target ||
      (x.content ?? []).join() !== (y.content ?? []).join()
    ) {
      out.push({ path, change: 'modified' });
    }
  }
}

async function report(
  repo: Repository,
  n: TreeNode,
  path: string,
  change: 'added' | 'removed',
  out: Change[],
): Promise<void> {
  out.push({ path: n.type === 'dir' ? `${path}/` : path, change });
  if (n.type === 'dir') {
    for (const child of (await load(repo, n.subtree)).values())
      await report(repo, child, `${path}/${child.name}`, change, out);
  }
}
