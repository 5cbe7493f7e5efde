import type { Context } from '../context';
import { defaultHost, defaultUser, scryptFrom } from '../context';
import { EXIT, UsageError } from '../errors';
import { short, table, timestamp } from '../format';
import type { Options } from '../options';
import { readPassword } from '../password';
import { scryptN } from './backup';

export const keyOptions = {
  'new-password-file': {
    type: 'string',
    arg: 'F',
    help: 'key add and passwd: read the new password from this file (default: KLUIS_NEW_PASSWORD, else a prompt).',
  },
  label: { type: 'string', arg: 'L', help: 'key add: a label for the new key slot, shown by key list.' },
  'scrypt-n': scryptN,
} as const satisfies Options;

async function newPassword(ctx: Context): Promise<string> {
  const file = ctx.values['new-password-file'] as string | undefined;
  if (file)
    return readPassword({ ...ctx.io, env: {} }, file, false, 'new password file (--new-password-file)');
  if (ctx.io.env.KLUIS_NEW_PASSWORD !== undefined) return ctx.io.env.KLUIS_NEW_PASSWORD;
  if (!ctx.io.promptSecret)
    throw new UsageError('no new password: use --new-password-file or KLUIS_NEW_PASSWORD');
  return readPassword({ ...ctx.io, env: {} }, undefined, true);
}

export async function key(ctx: Context): Promise<number> {
  const [sub, id] = ctx.positionals;
  if (id !== undefined && sub !== 'remove')
    throw new UsageError(`key ${sub} takes no further arguments; unexpected ${JSON.stringify(id)}`);
  const repo = await ctx.openRepo();
  switch (sub) {
    case 'list': {
      const keys = await repo.listKeys();
      if (ctx.json) ctx.printJson(keys.map((k) => ({ ...k, current: k.id === repo.keyId })));
      else
        ctx.io.stdout(
          table([
            [' ID', 'Created', 'Host', 'User', 'Label'],
            ...keys.map((k) => [
              `${k.id === repo.keyId ? '*' : ' '}${short(k.id)}`,
              timestamp(k.created),
              k.host ?? '',
              k.username ?? '',
              k.label ?? '',
            ]),
          ]) +
            (keys.some((k) => k.id === repo.keyId)
              ? '* the key slot in use (the password given opened it)\n'
              : ''),
        );
      return EXIT.ok;
    }
    case 'add': {
      const label = ctx.values.label as string | undefined;
      const scrypt = scryptFrom(ctx.values);
      const added = await repo.addKey(await newPassword(ctx), {
        host: defaultHost(),
        username: defaultUser(),
        ...(label ? { label } : {}),
        ...(scrypt ? { scrypt } : {}),
      });
      ctx.print(`added key slot ${short(added)}`);
      if (ctx.json) ctx.printJson({ id: added });
      return EXIT.ok;
    }
    case 'remove': {
      if (!id) throw new UsageError('key remove needs a key ID (see `kluis key list`)');
      await repo.removeKey(id);
      ctx.print(`removed key slot ${id}`);
      return EXIT.ok;
    }
    case 'passwd': {
      const old = await readPassword(ctx.io, ctx.values['password-file'] as string | undefined);
      const scrypt = scryptFrom(ctx.values);
      const added = await repo.changePassword(old, await newPassword(ctx), scrypt ? { scrypt } : {});
      ctx.print(`password changed (new key slot ${short(added)})`);
      return EXIT.ok;
    }
    default:
      throw new UsageError('key needs a subcommand: list, add, remove ID, passwd');
  }
}
