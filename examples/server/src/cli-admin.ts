import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { KluisError } from '@kluis/core';
import type { AccountStore } from './accounts.ts';
import { actorOf, type CliIo, configOf, formatBytes, parseExpiry, parseSize } from './cli-io.ts';
import { type CommandSpec, flagValue, UsageError, withFileFlags } from './cli-usage.ts';
import type { Grant, GrantStore } from './grants.ts';
import { ROLES, type Role } from './matrix.ts';
import { hashPassword } from './password.ts';
import { isPostgresUrl } from './sql.ts';
import { openStore } from './store.ts';

/** Parsed arguments of a command: flag values and positional arguments (without the subcommand). */
export interface Args {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** A command of the CLI: its specification (for parsing and help) and what it does. */
export interface Command {
  spec: CommandSpec;
  run: (args: Args, io: CliIo) => Promise<void>;
}

const str = (v: Args['values'], k: string) => v[k] as string | undefined;

async function withStores<T>(
  v: Args['values'],
  io: CliIo,
  run: (a: AccountStore, g: GrantStore) => Promise<T>,
): Promise<T> {
  const database = configOf({ config: str(v, 'config'), data: str(v, 'data') }, io.env).database;
  if (!isPostgresUrl(database)) mkdirSync(dirname(database), { recursive: true, mode: 0o700 });
  const store = await openStore(database, Date.now);
  try {
    return await run(store.accounts, store.grants);
  } finally {
    await store.close();
  }
}

async function newPassword(io: CliIo, name: string, v: Args['values']): Promise<string> {
  const pw = await io.readPassword(`new password for ${name}: `);
  if (pw.length < 8) throw new KluisError('INVALID_CONFIG', 'passwords need at least 8 characters');
  const config = configOf({ config: str(v, 'config'), data: str(v, 'data') }, io.env);
  return hashPassword(pw, config.scrypt);
}

function days(command: string, v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{1,5})d?$/.exec(v);
  if (!m) throw new UsageError(`${flag}: expected a whole number of days, e.g. 7 or 7d`, command);
  return Number(m[1]);
}

function role(command: string, value: string, extra: string[] = []): Role | 'none' {
  if ((ROLES as readonly string[]).includes(value) || extra.includes(value)) return value as Role;
  throw new UsageError(`role must be one of ${[...ROLES, ...extra].join(', ')}`, command);
}

const NAME = { min: 1, max: 1 };

const accountAdd: Command = {
  spec: {
    name: 'account add',
    args: 'NAME',
    summary: 'Creates an account (its password is prompted for) with a role on its own area.',
    positionals: NAME,
    flags: withFileFlags(
      {
        quota: {
          type: 'string',
          arg: 'SIZE',
          help: 'capacity limit, e.g. 500MB or 50GiB (default: unlimited)',
        },
        role: {
          type: 'string',
          arg: 'ROLE',
          help: `role on its own area: ${ROLES.join(', ')} or none (default: backup)`,
        },
      },
      true,
    ),
  },
  async run({ values: v, positionals: [name = ''] }, io) {
    const r = role('account add', str(v, 'role') ?? 'backup', ['none']);
    const quota = str(v, 'quota');
    const quotaBytes = quota === undefined ? undefined : flagValue('account add', () => parseSize(quota));
    const by = actorOf(str(v, 'by'));
    const hash = await newPassword(io, name, v);
    await withStores(v, io, async (accounts, grants) => {
      await accounts.add(name, hash, { actor: by, quotaBytes });
      if (r !== 'none')
        await grants.grant({ account: name, role: r, scope: name, by, note: 'own area, at creation' });
    });
    io.out(`account ${name} created${r === 'none' ? '' : ` with role ${r} on its own area`}\n`);
  },
};

const accountList: Command = {
  spec: {
    name: 'account list',
    args: '',
    summary: 'Lists the accounts with their usage, quota, retention and state.',
    positionals: { min: 0, max: 0 },
    flags: withFileFlags({ json: { type: 'boolean', help: 'print one JSON array instead of text' } }),
  },
  async run({ values: v }, io) {
    const list = await withStores(v, io, (accounts) => accounts.list());
    if (v.json) {
      io.out(`${JSON.stringify(list.map(({ passwordHash: _, ...a }) => a))}\n`);
      return;
    }
    for (const a of list) {
      const quota = a.quotaBytes === undefined ? 'unlimited' : formatBytes(a.quotaBytes);
      const state = a.disabledAt === undefined ? '' : `  disabled ${new Date(a.disabledAt).toISOString()}`;
      const keep = `retention ${a.retentionDays} d, protected ${a.protectDays} d`;
      io.out(`${a.name}  used ${formatBytes(a.usedBytes)} of ${quota}  ${keep}${state}\n`);
    }
  },
};

const accountPasswd: Command = {
  spec: {
    name: 'account passwd',
    args: 'NAME',
    summary: "Sets an account's password (prompted for, or one line of standard input).",
    positionals: NAME,
    flags: withFileFlags({}, true),
  },
  async run({ values: v, positionals: [name = ''] }, io) {
    const by = actorOf(str(v, 'by'));
    const hash = await newPassword(io, name, v);
    await withStores(v, io, (accounts) => accounts.setPassword(name, hash, by));
    io.out(`password of ${name} changed\n`);
  },
};

function toggle(sub: 'disable' | 'enable', summary: string): Command {
  return {
    spec: {
      name: `account ${sub}`,
      args: 'NAME',
      summary,
      positionals: NAME,
      flags: withFileFlags({}, true),
    },
    async run({ values: v, positionals: [name = ''] }, io) {
      await withStores(v, io, (accounts) =>
        accounts.setDisabled(name, sub === 'disable', actorOf(str(v, 'by'))),
      );
      io.out(`account ${name} ${sub}d\n`);
    },
  };
}

const accountRetention: Command = {
  spec: {
    name: 'account retention',
    args: 'NAME',
    summary: 'Sets how long an account keeps snapshots, and how long objects are protected from deletion.',
    positionals: NAME,
    flags: withFileFlags(
      {
        days: {
          type: 'string',
          arg: 'N',
          help: 'days of snapshots the account keeps (required), e.g. 7 or 7d',
        },
        'protect-days': {
          type: 'string',
          arg: 'N',
          help: 'objects younger than this many days can be deleted by an admin only (default: --days)',
        },
      },
      true,
    ),
  },
  async run({ values: v, positionals: [name = ''] }, io) {
    const command = 'account retention';
    const retention = days(command, str(v, 'days'), '--days');
    if (retention === undefined) throw new UsageError('give --days N', command);
    const protectDays = days(command, str(v, 'protect-days'), '--protect-days');
    await withStores(v, io, (accounts) =>
      accounts.setRetention(name, { days: retention, protectDays }, actorOf(str(v, 'by'))),
    );
    io.out(
      `account ${name} keeps ${retention} days; objects younger than ${protectDays ?? retention} days ` +
        'can be deleted by an admin only\n',
    );
  },
};

/** `account add|list|passwd|disable|enable|retention`. */
export const ACCOUNT_COMMANDS: Record<string, Command> = {
  add: accountAdd,
  list: accountList,
  passwd: accountPasswd,
  disable: toggle('disable', 'Disables an account: it can no longer log in; its data stays.'),
  enable: toggle('enable', 'Enables a disabled account again.'),
  retention: accountRetention,
};

const grant: Command = {
  spec: {
    name: 'grant',
    args: 'ACCOUNT ROLE',
    summary: `Gives ACCOUNT a role (${ROLES.join(', ')}) on an area or repository.`,
    positionals: { min: 2, max: 2 },
    flags: withFileFlags(
      {
        scope: {
          type: 'string',
          arg: 'AREA[/REPO]',
          help: "where the role applies: an account's area, one repository in it, or '*' (default: ACCOUNT)",
        },
        expires: {
          type: 'string',
          arg: 'WHEN',
          help: 'end of the grant: an ISO time, or 90m, 12h, 30d, 8w from now',
        },
        note: { type: 'string', arg: 'TEXT', help: 'why the grant exists, kept with it' },
      },
      true,
    ),
  },
  async run({ values: v, positionals: [account = '', value = ''] }, io) {
    const r = role('grant', value) as Role;
    const expires = str(v, 'expires');
    const expiresAt =
      expires === undefined ? undefined : flagValue('grant', () => parseExpiry(expires, Date.now()));
    const scope = str(v, 'scope') ?? account;
    const by = actorOf(str(v, 'by'));
    const id = await withStores(v, io, (_, grants) =>
      grants.grant({ account, role: r, scope, expiresAt, note: str(v, 'note'), by }),
    );
    const until = expiresAt ? ` until ${new Date(expiresAt).toISOString()}` : '';
    io.out(`grant ${id}: ${account} is ${r} on ${scope}${until}\n`);
  },
};

const grants: Command = {
  spec: {
    name: 'grants',
    args: '[ACCOUNT]',
    summary: 'Lists the grants (of one account), including expired and revoked ones.',
    positionals: { min: 0, max: 1 },
    flags: withFileFlags({ json: { type: 'boolean', help: 'print one JSON array instead of text' } }),
  },
  async run({ values: v, positionals: p }, io) {
    const list = await withStores(v, io, (_, g) => g.list(p[0]));
    io.out(v.json ? `${JSON.stringify(list)}\n` : list.map(formatGrant).join(''));
  },
};

const revoke: Command = {
  spec: {
    name: 'revoke',
    args: 'GRANT-ID',
    summary: 'Revokes a grant (the id is shown by kluis-server grants); the record stays.',
    positionals: NAME,
    flags: withFileFlags({}, true),
  },
  async run({ values: v, positionals: [raw = ''] }, io) {
    const id = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(id)) throw new UsageError('give the grant id (kluis-server grants)', 'revoke');
    const g = await withStores(v, io, (_, all) => all.revoke(id, actorOf(str(v, 'by'))));
    io.out(formatGrant(g));
  },
};

/** `grant`, `grants`, `revoke`. */
export const GRANT_COMMANDS: Record<string, Command> = { grant, grants, revoke };

function formatGrant(g: Grant): string {
  const iso = (t: number) => new Date(t).toISOString();
  const parts = [`#${g.id}`, g.account, g.role, `on ${g.scope}`, `by ${g.grantedBy} at ${iso(g.grantedAt)}`];
  if (g.expiresAt !== undefined) parts.push(`expires ${iso(g.expiresAt)}`);
  if (g.revokedAt !== undefined) parts.push(`REVOKED by ${g.revokedBy} at ${iso(g.revokedAt)}`);
  if (g.note) parts.push(`(${g.note})`);
  return `${parts.join('  ')}\n`;
}

/** `quota set ACCOUNT SIZE|unlimited`. */
export const QUOTA_COMMANDS: Record<string, Command> = {
  set: {
    spec: {
      name: 'quota set',
      args: 'ACCOUNT SIZE|unlimited',
      summary: "Sets an account's capacity limit: bytes, 500MB, 10GiB, or unlimited.",
      positionals: { min: 2, max: 2 },
      flags: withFileFlags({}, true),
    },
    async run({ values: v, positionals: [name = '', size = ''] }, io) {
      const bytes = size === 'unlimited' ? undefined : flagValue('quota set', () => parseSize(size));
      await withStores(v, io, (accounts) => accounts.setQuota(name, bytes, actorOf(str(v, 'by'))));
      io.out(`quota of ${name}: ${bytes === undefined ? 'unlimited' : formatBytes(bytes)}\n`);
    },
  },
};
