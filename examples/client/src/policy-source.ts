import { KluisError } from '@kluis/core';
import type { PolicyInput } from '@kluis/retention';
import type { AccountInfo } from '@kluis/transport-http';
import type { Context } from './context';
import { UsageError } from './errors';
import { short } from './format';
import { httpOptionsOf } from './repository-url';
import { readSettings, settingsFile } from './settings';

/** A retention policy that came from somewhere other than the command line, and where from. */
export interface PolicyChoice {
  policy: PolicyInput | string;
  /** One line for the user: the policy and where it came from. */
  source: string;
  /** The repository ID the policy was stored under (checked once the repository is open). */
  repositoryId?: string;
}

/**
 * The number of days `forget` keeps for a server account: its retention days, but at least one
 * day more than its protected days. Snapshot times are the client's and lock times the server's,
 * so a policy that stops one day short of the lock never asks to delete a protected object.
 */
export function accountKeepDays(info: Pick<AccountInfo, 'retentionDays' | 'protectDays'>): number {
  return Math.max(info.retentionDays, info.protectDays + 1);
}

/**
 * The settings of the server account holding the repository, fetched once per command;
 * `undefined` when the repository is not on a server, or the server offers no account settings
 * (restic's rest-server answers 404). Wrong credentials and network failures are errors.
 */
export function accountInfoOf(ctx: Context): Promise<AccountInfo | undefined> {
  const cached = accountCache.get(ctx);
  if (cached) return cached;
  const fetching = (async () => {
    const options = httpOptionsOf(ctx.location, ctx.io.env);
    if (!options) return undefined;
    const { fetchAccountInfo } = await import('@kluis/transport-http');
    try {
      return await fetchAccountInfo(options, ctx.io.signal ? { signal: ctx.io.signal } : {});
    } catch (e) {
      // 404 (restic's rest-server, an older kluis server) or an answer outside the protocol: the
      // server keeps no account settings, and forget falls back to refusing without a policy.
      if (KluisError.is(e, 'NOT_FOUND', 'PROTOCOL')) return undefined;
      throw e;
    }
  })();
  accountCache.set(ctx, fetching);
  return fetching;
}
const accountCache = new WeakMap<Context, Promise<AccountInfo | undefined>>();

/**
 * The policy `forget` applies when the command line gives neither IDs nor policy flags: the one
 * stored for the repository with `kluis config set retention`, else the retention of the server
 * account that holds it. With neither, a usage error that names both ways to set one.
 */
export async function storedPolicy(ctx: Context): Promise<PolicyChoice> {
  const file = settingsFile(ctx.io.env);
  const settings = await readSettings(file);
  if (Object.keys(settings.repositories).length > 0) {
    const id = await ctx.repositoryId();
    const stored = settings.repositories[id]?.retention;
    if (stored !== undefined)
      return {
        policy: stored,
        source: `policy ${stored}: stored for repository ${short(id)} in ${file} (kluis config set retention)`,
        repositoryId: id,
      };
  }
  const server = httpOptionsOf(ctx.location, ctx.io.env) !== undefined;
  const info = await accountInfoOf(ctx);
  if (info) {
    const days = accountKeepDays(info);
    return {
      policy: { rules: [{ kind: 'within', duration: `${days}d` }] },
      source:
        `policy keep-within ${days}d: from account ${info.account} on the server (retention ${info.retentionDays} ` +
        `day(s), protected ${info.protectDays}; the larger of the retention and protected + 1)`,
    };
  }
  throw new UsageError(
    'forget needs snapshot IDs or a retention policy: give one (--keep-within 7d, --keep-last N, --policy P, ...) ' +
      `or store one for this repository with \`kluis config set retention 7d\`${
        server ? ' (this server keeps no account retention)' : ''
      }; nothing was removed`,
  );
}
