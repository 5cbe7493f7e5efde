import { check, prune, type SnapshotRef } from '@kluis/core';
import { applyPolicy, explainJson, explainText, type PolicyInput, type RuleInput } from '@kluis/retention';
import type { Context } from '../context';
import { EXIT, UsageError } from '../errors';
import { bytes, short } from '../format';

export const forgetOptions = {
  policy: { type: 'string' },
  'keep-within': { type: 'string' },
  'keep-last': { type: 'string' },
  'keep-hourly': { type: 'string' },
  'keep-daily': { type: 'string' },
  'keep-weekly': { type: 'string' },
  'keep-monthly': { type: 'string' },
  'keep-yearly': { type: 'string' },
  'keep-tag': { type: 'string', multiple: true },
  zone: { type: 'string' },
  'dry-run': { type: 'boolean', short: 'n' },
  prune: { type: 'boolean' },
} as const;

const PERIODS = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;

/** Builds the policy from flags; no flags means the service default (keep 7 days). */
function policyFrom(ctx: Context): PolicyInput | string {
  const v = ctx.values;
  if (typeof v.policy === 'string') return v.policy;
  const rules: RuleInput[] = [];
  const count = (name: string) => {
    const n = Number(v[name]);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} needs a whole number`);
    return n;
  };
  if (typeof v['keep-within'] === 'string') rules.push({ kind: 'within', duration: v['keep-within'] });
  if (v['keep-last'] !== undefined) rules.push({ kind: 'last', count: count('keep-last') });
  for (const p of PERIODS)
    if (v[`keep-${p}`] !== undefined) rules.push({ kind: p, count: count(`keep-${p}`) });
  for (const t of (v['keep-tag'] as string[] | undefined) ?? []) rules.push({ kind: 'tag', tags: [t] });
  if (rules.length === 0) return '7d';
  return { rules, ...(typeof v.zone === 'string' ? { zone: v.zone } : {}) };
}

export async function forget(ctx: Context): Promise<number> {
  const repo = await ctx.openRepo();
  const all = await repo.snapshots.list();
  const byId = new Map<string, SnapshotRef>(all.map((s) => [s.id, s]));
  const versions = all.map(({ id, snapshot: s }) => ({
    id,
    time: s.time,
    host: s.host,
    paths: s.paths,
    tags: s.tags,
    complete: s.complete,
  }));
  const result = applyPolicy(versions, policyFrom(ctx));
  const dry = ctx.values['dry-run'] === true;
  if (ctx.json) ctx.printJson({ dryRun: dry, ...explainJson(result) });
  else ctx.io.stdout(explainText(result).replace(/[0-9a-f]{64}/g, (id) => short(id)));
  if (!dry) {
    for (const v of result.drop) await repo.snapshots.remove(byId.get(v.id)!.id);
    ctx.print(`removed ${result.drop.length} snapshot(s), kept ${result.keep.length}`);
    if (ctx.values.prune) return pruneCommand(ctx);
  } else {
    ctx.print(`would remove ${result.drop.length} snapshot(s), keep ${result.keep.length} (dry run)`);
  }
  return EXIT.ok;
}

export const pruneOptions = {
  'dry-run': { type: 'boolean', short: 'n' },
  'grace-hours': { type: 'string' },
} as const;

export async function pruneCommand(ctx: Context): Promise<number> {
  const repo = await ctx.openRepo();
  const hours = ctx.values['grace-hours'] === undefined ? 24 : Number(ctx.values['grace-hours']);
  if (!(hours >= 0)) throw new UsageError('--grace-hours needs a number of hours');
  const r = await prune(repo, { dryRun: ctx.values['dry-run'] === true, graceMs: hours * 3600_000 });
  if (ctx.json) ctx.printJson(r);
  ctx.print(
    `${r.marked.length} unreferenced pack(s) marked, ${r.deleted.length} deleted (${bytes(r.bytesFreed)} freed), ` +
      `${r.unmarked.length} unmarked again; marked packs are deleted by a prune at least ${hours} h later`,
  );
  return EXIT.ok;
}

export const checkOptions = { 'read-data': { type: 'boolean' } } as const;

export async function checkCommand(ctx: Context): Promise<number> {
  const repo = await ctx.openRepo();
  const r = await check(repo, { readData: ctx.values['read-data'] === true });
  if (ctx.json) ctx.printJson(r);
  else {
    ctx.print(
      `${r.snapshots} snapshots, ${r.packs} packs, ${r.blobs} blobs checked${ctx.values['read-data'] ? `, ${bytes(r.bytesRead)} read` : ''}`,
    );
    if (r.unindexedPacks.length)
      ctx.print(
        `${r.unindexedPacks.length} unindexed pack(s) from interrupted backups (harmless; prune removes them)`,
      );
    for (const p of r.problems) ctx.print(`error: ${p.object}: ${p.message}`);
    for (const a of r.affected) ctx.print(`damaged: snapshot ${short(a.snapshot)}: ${a.path}`);
    ctx.print(r.ok ? 'no errors found' : `${r.problems.length} problem(s) found`);
  }
  return r.ok ? EXIT.ok : EXIT.incomplete;
}
