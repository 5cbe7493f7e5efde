import type { Context } from '../context';
import { EXIT, UsageError } from '../errors';
import { short } from '../format';
import type { Options } from '../options';
import { accountInfoOf, accountKeepDays } from '../policy-source';
import { policyProblem, settingsFile, storedRetention, storeRetention } from '../settings';

export const configOptions = {} as const satisfies Options;

const USAGE = 'config set retention POLICY | config get retention | config unset retention';

/**
 * `kluis config set|get|unset retention`: the retention policy `forget` applies when given no
 * flags, kept in the user's settings file under the repository's ID (the repository itself has
 * no mutable settings object). Needs no repository password: the ID is in the plaintext config.
 */
export async function configCommand(ctx: Context): Promise<number> {
  const [verb, name, value, ...extra] = ctx.positionals;
  if (verb !== 'set' && verb !== 'get' && verb !== 'unset') throw new UsageError(`config needs ${USAGE}`);
  if (name !== 'retention')
    throw new UsageError(
      `unknown setting ${JSON.stringify(name ?? '')}: the one setting is retention (${USAGE})`,
    );
  if (verb === 'set' ? value === undefined || extra.length : value !== undefined)
    throw new UsageError(`config ${verb} retention takes ${verb === 'set' ? 'one POLICY' : 'no value'}`);
  const file = settingsFile(ctx.io.env);
  if (verb === 'set') {
    const problem = policyProblem(value!);
    if (problem)
      throw new UsageError(
        `retention ${JSON.stringify(value)}: ${problem}; write it as --policy takes it, e.g. 7d or last:3,7:1d (docs/retention.md)`,
      );
    const id = await ctx.repositoryId();
    await storeRetention(ctx.io.env, id, value!, ctx.location);
    if (ctx.json) ctx.printJson({ repository: id, retention: value, file });
    ctx.print(
      `retention of repository ${short(id)} set to ${value} (in ${file}); kluis forget without a policy applies it`,
    );
    return EXIT.ok;
  }
  const id = await ctx.repositoryId();
  if (verb === 'unset') {
    const had = await storeRetention(ctx.io.env, id, undefined, ctx.location);
    if (ctx.json) ctx.printJson({ repository: id, removed: had, file });
    ctx.print(
      had
        ? `retention of repository ${short(id)} removed`
        : `no retention was stored for repository ${short(id)}`,
    );
    return EXIT.ok;
  }
  const stored = await storedRetention(ctx.io.env, id);
  const info = stored === undefined ? await accountInfoOf(ctx) : undefined;
  const account = info && {
    account: info.account,
    retentionDays: info.retentionDays,
    protectDays: info.protectDays,
    keepWithin: `${accountKeepDays(info)}d`,
  };
  if (ctx.json) {
    ctx.printJson({ repository: id, retention: stored ?? null, file, ...(account ? { account } : {}) });
  } else if (stored !== undefined) {
    ctx.print(stored);
  } else if (account) {
    ctx.print(
      `none stored for repository ${short(id)}; forget applies account ${account.account}'s retention: ` +
        `keep-within ${account.keepWithin} (retention ${account.retentionDays} day(s), protected ${account.protectDays})`,
    );
  } else {
    ctx.print(
      `none stored for repository ${short(id)}; forget needs policy flags until one is set (kluis config set retention 7d)`,
    );
  }
  return EXIT.ok;
}
