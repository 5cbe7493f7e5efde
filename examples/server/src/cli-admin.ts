import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { KluisError } from '@kluis/core';
import { AccountStore } from './accounts.ts';
import {
  actorOf,
  type CliIo,
  COMMON_OPTIONS,
  configOf,
  formatBytes,
  parseExpiry,
  parseSize,
} from './cli-io.ts';
import { openDb } from './db.ts';
import { type Grant, GrantStore } from './grants.ts';
import { ROLES, type Role } from './matrix.ts';
import { hashPassword } from './password.ts';

const OPTIONS = {
  ...COMMON_OPTIONS,
  by: { type: 'string' },
  json: { type: 'boolean' },
  quota: { type: 'string' },
  role: { type: 'string' },
  scope: { type: 'string' },
  expires: { type: 'string' },
  note: { type: 'string' },
  days: { type: 'string' },
  'protect-days': { type: 'string' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(args: string[]) {
  return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
}

function usage(message: string): never {
  throw new KluisError('INVALID_CONFIG', `${message} (kluis-server --help)`);
}

function withStores<T>(v: Values, io: CliIo, run: (a: AccountStore, g: GrantStore) => T): T {
  const file = configOf(v, io.env).database;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const db = openDb(file);
  try {
    return run(new AccountStore(db, Date.now), new GrantStore(db, Date.now));
  } finally {
    db.close();
  }
}

async function newPassword(io: CliIo, name: string): Promise<string> {
  const pw = await io.readPassword(`new password for ${name}: `);
  if (pw.length < 8) usage('passwords need at least 8 characters');
  return pw;
}

function days(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{1,5})d?$/.exec(v);
  if (!m) usage(`${flag}: expected a whole number of days, e.g. 7 or 7d`);
  return Number(m[1]);
}

/**
 * `account add|list|passwd|disable|enable|retention`.
 *
 * @example
 * ```ts
 * await accountCommand(['add', 'alice', '--quota', '50GiB'], io);
 * ```
 */
export async function accountCommand(args: string[], io: CliIo): Promise<void> {
  const {
    values: v,
    positionals: [sub, name],
  } = parse(args);
  const by = actorOf(v.by);
  if (sub === 'list') return listAccounts(v, io);
  if (!name) usage(`account ${sub ?? ''}: name the account`);
  const config = configOf(v, io.env);
  if (sub === 'add') {
    const role = (v.role ?? 'backup') as Role | 'none';
    if (role !== 'none' && !ROLES.includes(role)) usage(`--role must be one of ${ROLES.join(', ')} or none`);
    const hash = await hashPassword(await newPassword(io, name), config.scrypt);
    withStores(v, io, (accounts, grants) => {
      accounts.add(name, hash, {
        actor: by,
        quotaBytes: v.quota === undefined ? undefined : parseSize(v.quota),
      });
      if (role !== 'none')
        grants.grant({ account: name, role, scope: name, by, note: 'own area, at creation' });
    });
    io.out(`account ${name} created${role === 'none' ? '' : ` with role ${role} on its own area`}\n`);
  } else if (sub === 'passwd') {
    const hash = await hashPassword(await newPassword(io, name), config.scrypt);
    withStores(v, io, (accounts) => accounts.setPassword(name, hash, by));
    io.out(`password of ${name} changed\n`);
  } else if (sub === 'retention') {
    const retention = days(v.days, '--days') ?? usage('account retention: give --days N');
    const protectDays = days(v['protect-days'], '--protect-days');
    withStores(v, io, (accounts) => accounts.setRetention(name, { days: retention, protectDays }, by));
    io.out(
      `account ${name} keeps ${retention} days; objects younger than ${protectDays ?? retention} days ` +
        'can be deleted by an admin only\n',
    );
  } else if (sub === 'disable' || sub === 'enable') {
    withStores(v, io, (accounts) => accounts.setDisabled(name, sub === 'disable', by));
    io.out(`account ${name} ${sub}d\n`);
  } else {
    usage(`unknown account command ${JSON.stringify(sub)}: add, list, passwd, disable, enable, retention`);
  }
}

function listAccounts(v: Values, io: CliIo): void {
  const list = withStores(v, io, (accounts) => accounts.list());
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
}

/**
 * `grant <account> <role> [--scope] [--expires] [--note]`, `grants [account]`, `revoke <id>`.
 *
 * @example
 * ```ts
 * await grantCommand('grant', ['bob', 'restore', '--scope', 'alice/laptop', '--expires', '7d'], io);
 * ```
 */
export async function grantCommand(
  command: 'grant' | 'grants' | 'revoke',
  args: string[],
  io: CliIo,
): Promise<void> {
  const { values: v, positionals: p } = parse(args);
  const by = actorOf(v.by);
  if (command === 'grants') {
    const list = withStores(v, io, (_, grants) => grants.list(p[0]));
    io.out(v.json ? `${JSON.stringify(list)}\n` : list.map(formatGrant).join(''));
  } else if (command === 'revoke') {
    const id = Number(p[0]);
    if (!Number.isSafeInteger(id)) usage('revoke: give the grant id (kluis-server grants)');
    const g = withStores(v, io, (_, grants) => grants.revoke(id, by));
    io.out(formatGrant(g));
  } else {
    const [account, role] = p;
    if (!account || !role) usage('grant: give the account and the role');
    if (!ROLES.includes(role as Role)) usage(`grant: role must be one of ${ROLES.join(', ')}`);
    const expiresAt = v.expires === undefined ? undefined : parseExpiry(v.expires, Date.now());
    const scope = v.scope ?? account;
    const id = withStores(v, io, (_, grants) =>
      grants.grant({ account, role: role as Role, scope, expiresAt, note: v.note, by }),
    );
    io.out(
      `grant ${id}: ${account} is ${role} on ${scope}${expiresAt ? ` until ${new Date(expiresAt).toISOString()}` : ''}\n`,
    );
  }
}

function formatGrant(g: Grant): string {
  const iso = (t: number) => new Date(t).toISOString();
  const parts = [`#${g.id}`, g.account, g.role, `on ${g.scope}`, `by ${g.grantedBy} at ${iso(g.grantedAt)}`];
  if (g.expiresAt !== undefined) parts.push(`expires ${iso(g.expiresAt)}`);
  if (g.revokedAt !== undefined) parts.push(`REVOKED by ${g.revokedBy} at ${iso(g.revokedAt)}`);
  if (g.note) parts.push(`(${g.note})`);
  return `${parts.join('  ')}\n`;
}

/**
 * `quota set <account> <size|unlimited>`.
 *
 * @example
 * ```ts
 * await quotaCommand(['set', 'alice', '100GiB'], io);
 * ```
 */
export async function quotaCommand(args: string[], io: CliIo): Promise<void> {
  const {
    values: v,
    positionals: [sub, name, size],
  } = parse(args);
  if (sub !== 'set' || !name || !size) usage('quota set <account> <size|unlimited>');
  const bytes = size === 'unlimited' ? undefined : parseSize(size);
  withStores(v, io, (accounts) => accounts.setQuota(name, bytes, actorOf(v.by)));
  io.out(`quota of ${name}: ${bytes === undefined ? 'unlimited' : formatBytes(bytes)}\n`);
}
