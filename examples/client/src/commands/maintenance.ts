import { check, forget as forgetSnapshots, KluisError, prune } from '@kluis/core';
import { explainJson, explainText, type PolicyInput, type RuleInput } from '@kluis/retention';
import type { Context } from '../context';
import { EXIT, UsageError } from '../errors';
import { bytes, short, timestampsIn } from '../format';
import type { Options } from '../options';
import { accountInfoOf, type PolicyChoice, storedPolicy } from '../policy-source';

export const pruneOptions = {
  'dry-run': { type: 'boolean', short: 'n', help: 'Say what would be done and change nothing.' },
  'grace-hours': {
    type: 'string',
    arg: 'H',
    help: 'Delete packs marked unused at least this many hours ago (default: 24), so concurrent backups are safe.',
  },
  'max-unused': {
    type: 'string',
    arg: 'PCT',
    help: 'Repack partly used packs until at most this share of the stored bytes is unused (e.g. 5%).',
  },
  'max-repack-size': {
    type: 'string',
    arg: 'SIZE',
    help: 'Copy at most this much live data when repacking (e.g. 500M).',
  },
} as const satisfies Options;

const keep = (what: string) =>
  ({ type: 'string', arg: 'N', help: `Keep the newest snapshot of each of the last N ${what}.` }) as const;

export const forgetOptions = {
  policy: {
    type: 'string',
    arg: 'P',
    help: 'A whole retention policy in compact form, e.g. 7d or last:3,7:1d (docs/retention.md).',
  },
  'keep-within': {
    type: 'string',
    arg: 'DURATION',
    help: 'Keep every snapshot younger than this, e.g. 7d or 2w.',
  },
  'keep-last': { type: 'string', arg: 'N', help: 'Keep the N newest snapshots.' },
  'keep-hourly': keep('hours'),
  'keep-daily': keep('days'),
  'keep-weekly': keep('weeks'),
  'keep-monthly': keep('months'),
  'keep-yearly': keep('years'),
  'keep-tag': { type: 'string', multiple: true, arg: 'T', help: 'Keep every snapshot with this tag.' },
  zone: {
    type: 'string',
    arg: 'TZ',
    help: 'The IANA time zone whose days, weeks and months the policy counts, e.g. Europe/Amsterdam (default: UTC).',
  },
  'fit-quota': {
    type: 'string',
    arg: 'SIZE',
    help: 'Also remove the oldest kept snapshots until the repository fits this size; account (or no value): the server account quota.',
  },
  'protect-days': {
    type: 'string',
    arg: 'D',
    help: '--fit-quota never removes snapshots younger than D days (default: the account protected days, else 7).',
  },
  prune: { type: 'boolean', help: 'Run prune afterwards, with the prune options given.' },
  ...pruneOptions,
} as const satisfies Options;

const PERIODS = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;

/** The policy the flags give, or `undefined` when no policy flag is given. */
function policyFrom(ctx: Context): PolicyInput | string | undefined {
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
  if (rules.length === 0) return undefined;
  return { rules, ...(typeof v.zone === 'string' ? { zone: v.zone } : {}) };
}

export async function forget(ctx: Context): Promise<number> {
  const ids = ctx.positionals;
  let policy = policyFrom(ctx);
  if (ids.length && policy !== undefined)
    throw new UsageError('forget takes snapshot IDs or a policy, not both');
  const dry = ctx.values['dry-run'] === true;
  const fitRaw = ctx.values['fit-quota'] as string | undefined;
  if (fitRaw !== undefined && ids.length)
    throw new UsageError('--fit-quota needs a policy, not snapshot IDs');
  const protect = ctx.values['protect-days'];
  if (protect !== undefined && !(Number(protect) >= 0))
    throw new UsageError('--protect-days needs a number of days');
  let chosen: PolicyChoice | undefined;
  if (!ids.length && policy === undefined) {
    chosen = await storedPolicy(ctx);
    policy = chosen.policy;
  }
  const fit = await fitFrom(ctx, fitRaw);
  // Said once both are settled, so a usage error is the only output of a wrong command line.
  if (chosen) ctx.print(chosen.source);
  if (fit?.source) ctx.print(fit.source);
  const repo = await ctx.openRepo();
  if (chosen?.repositoryId !== undefined && chosen.repositoryId !== repo.config.id)
    throw new KluisError(
      'INTEGRITY',
      `the config of ${ctx.location} changed while it was read (repository ${short(repo.config.id)}, ` +
        `policy stored for ${short(chosen.repositoryId)}): nothing was removed; run forget again`,
    );
  const days = fit?.protectDays ?? 7;
  const fitBytes = fit?.bytes;
  const r = await forgetSnapshots(repo, ids.length ? { ids } : policy!, {
    dryRun: dry,
    ...(fitBytes !== undefined ? { fitBytes, protectMs: days * 24 * 3600_000 } : {}),
  });
  if (ctx.json) {
    ctx.printJson({
      dryRun: dry,
      ...(chosen ? { policySource: chosen.source } : {}),
      removed: r.removed,
      ...(r.capacity ? { capacity: r.capacity } : {}),
      ...(r.retention ? explainJson(r.retention) : {}),
    });
  } else if (r.retention) {
    ctx.io.stdout(timestampsIn(explainText(r.retention)).replace(/[0-9a-f]{64}/g, (id) => short(id)));
  } else {
    for (const id of r.removed) ctx.print(`${dry ? 'would remove' : 'removed'} snapshot ${short(id)}`);
  }
  const c = r.capacity;
  if (c) {
    const also = c.removedToFit.length
      ? `${dry ? 'would also remove' : 'also removed'} ${c.removedToFit.length} snapshot(s) the policy keeps, oldest first (${c.removedToFit.map(short).join(', ')}), older than ${days} day(s)`
      : 'no snapshot beyond the policy needs to go';
    ctx.print(
      `quota ${bytes(c.fitBytes)}: ${also}; the repository holds ${bytes(c.storedBytes)} and will hold ${bytes(c.forecastBytes)} once pruned` +
        (c.fits
          ? ''
          : ` — still over the quota: the newest snapshot and those of the last ${days} day(s) are protected`),
    );
  }
  if (dry) {
    ctx.print(
      `would remove ${r.removed.length} snapshot(s), keep ${r.kept.length} (dry run: nothing was changed)`,
    );
    return EXIT.ok;
  }
  ctx.print(`removed ${r.removed.length} snapshot(s), kept ${r.kept.length}`);
  if (ctx.values.prune) return pruneCommand(ctx);
  return EXIT.ok;
}

/**
 * The quota `--fit-quota` asks to fit and the days it protects: a size, or `account` (also a bare
 * `--fit-quota`) for the quota of the server account holding the repository. `--protect-days`
 * defaults to the account's protected days on a kluis server, else 7.
 */
async function fitFrom(
  ctx: Context,
  raw: string | undefined,
): Promise<{ bytes: number; protectDays: number; source?: string } | undefined> {
  if (raw === undefined) return undefined;
  const flag = ctx.values['protect-days'] as string | undefined;
  if (raw !== 'account') {
    const size = sizeFrom(raw, '--fit-quota')!;
    const info = flag === undefined ? await accountInfoOf(ctx) : undefined;
    return { bytes: size, protectDays: flag !== undefined ? Number(flag) : (info?.protectDays ?? 7) };
  }
  const info = await accountInfoOf(ctx);
  if (!info)
    throw new UsageError(
      '--fit-quota account needs a repository on a kluis server (one that answers /-/account); give a size such as 500M',
    );
  if (info.quotaBytes === undefined)
    throw new UsageError(`account ${info.account} has no quota: give --fit-quota a size such as 500M`);
  return {
    bytes: info.quotaBytes,
    protectDays: flag !== undefined ? Number(flag) : info.protectDays,
    source: `quota ${bytes(info.quotaBytes)}: from account ${info.account} on the server`,
  };
}

/** A share from `5%` or `5`: per cent, as restic reads `--max-unused`. */
function shareFrom(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(raw.trim());
  const n = m ? Number(m[1]) : Number.NaN;
  if (!(n >= 0 && n <= 100)) throw new UsageError('--max-unused needs a percentage from 0 to 100 (e.g. 5%)');
  return n / 100;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** Bytes from `500M`, `2G`, `1048576` (binary units, an optional trailing `iB`/`B`). */
export function sizeFrom(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(raw.trim());
  if (!m) throw new UsageError(`${flag} needs a size such as 500M or 2G`);
  return Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
}

export async function pruneCommand(ctx: Context): Promise<number> {
  const hours = ctx.values['grace-hours'] === undefined ? 24 : Number(ctx.values['grace-hours']);
  if (!(hours >= 0)) throw new UsageError('--grace-hours needs a number of hours');
  const maxUnused = shareFrom(ctx.values['max-unused'] as string | undefined);
  const maxRepackBytes = sizeFrom(ctx.values['max-repack-size'] as string | undefined, '--max-repack-size');
  const dryRun = ctx.values['dry-run'] === true;
  const repo = await ctx.openRepo();
  const r = await prune(repo, {
    dryRun,
    graceMs: hours * 3600_000,
    ...(maxUnused !== undefined ? { maxUnused } : {}),
    ...(maxRepackBytes !== undefined ? { maxRepackBytes } : {}),
  });
  if (ctx.json) ctx.printJson(r);
  const repacked = r.repacked.length
    ? ` (${r.repacked.length} repacked: ${bytes(r.bytesRepacked)} of live data ${dryRun ? 'to copy' : 'copied'})`
    : '';
  if (dryRun) {
    ctx.print(
      `dry run, nothing was changed: would free ${bytes(r.bytesFreed)} now (${r.deleted.length} pack(s) deleted) ` +
        `and ${bytes(Math.max(0, r.bytesPending))} after the grace period (${r.marked.length} pack(s) marked${repacked})`,
    );
    return EXIT.ok;
  }
  ctx.print(
    `${r.deleted.length} pack(s) deleted (${bytes(r.bytesFreed)} freed), ${r.marked.length} marked${repacked}, ` +
      `${r.unmarked.length} unmarked again; ${bytes(Math.max(0, r.bytesPending))} more is freed by a prune at least ${hours} h from now`,
  );
  if (r.refused.length)
    ctx.print(
      `the storage refused to delete ${r.refused.length} object(s) (a retention lock keeps recent objects): ` +
        'they stay marked, and a later prune deletes them once allowed',
    );
  return EXIT.ok;
}

export const checkOptions = {
  'read-data': {
    type: 'boolean',
    help: 'Also download, decrypt and verify every blob (reads the whole repository).',
  },
} as const satisfies Options;

export async function checkCommand(ctx: Context): Promise<number> {
  const repo = await ctx.openRepo({ cache: false }); // check reads the repository, not a copy of it
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
