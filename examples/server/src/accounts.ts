import { KluisError } from '@kluis/core';
import type { Sql } from './sql.ts';

/** One account as stored. Times are milliseconds since the epoch. */
export interface Account {
  name: string;
  passwordHash: string;
  /** Capacity in bytes; `undefined` means unlimited. */
  quotaBytes: number | undefined;
  /** Bytes stored in the account's area, as last recorded by the server. */
  usedBytes: number;
  disabledAt: number | undefined;
  createdAt: number;
  updatedAt: number;
  /** Days of versions the account keeps (its retention policy). Default {@link DEFAULT_RETENTION_DAYS}. */
  retentionDays: number;
  /** Days during which objects are under the retention lock. Default: `retentionDays`. */
  protectDays: number;
}

/**
 * The retention of an account that has none set: 7 days.
 *
 * @example
 * ```ts
 * const days = account.retentionDays ?? DEFAULT_RETENTION_DAYS;
 * ```
 */
export const DEFAULT_RETENTION_DAYS = 7;

interface AccountRow {
  name: string;
  password_hash: string;
  quota_bytes: number | null;
  used_bytes: number;
  disabled_at: number | null;
  created_at: number;
  updated_at: number;
  retention_days: number | null;
  protect_days: number | null;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * Throws unless `name` is a valid account name: 1–63 of `[a-z0-9_-]`, not starting with `-` or `_`.
 * Names are path segments of the account's area (`/<name>/...`), so they are kept strict.
 *
 * @example
 * ```ts
 * assertAccountName('alice'); // ok
 * ```
 */
export function assertAccountName(name: string): void {
  if (!NAME.test(name)) {
    throw new KluisError(
      'INVALID_CONFIG',
      `invalid account name ${JSON.stringify(name)}: use 1-63 of a-z 0-9 _ -`,
    );
  }
}

function toAccount(r: AccountRow): Account {
  return {
    name: r.name,
    passwordHash: r.password_hash,
    quotaBytes: r.quota_bytes ?? undefined,
    usedBytes: r.used_bytes,
    disabledAt: r.disabled_at ?? undefined,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    retentionDays: r.retention_days ?? DEFAULT_RETENTION_DAYS,
    protectDays: r.protect_days ?? r.retention_days ?? DEFAULT_RETENTION_DAYS,
  };
}

/**
 * Accounts in the database, and the record of every administrative change made to them. Reads
 * go to the database each time, so changes made by the admin commands, or on another server
 * node, apply at the next request.
 *
 * @example
 * ```ts
 * const accounts = new AccountStore(sql, () => Date.now());
 * await accounts.add('alice', await hashPassword(pw), { actor: 'root', quotaBytes: 10 * 2 ** 30 });
 * ```
 */
export class AccountStore {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => number,
  ) {}

  /** The account, or `undefined`. */
  async get(name: string): Promise<Account | undefined> {
    const row = await this.sql.get<AccountRow>('SELECT * FROM accounts WHERE name = ?', [name]);
    return row ? toAccount(row) : undefined;
  }

  /** Every account, by name. */
  async list(): Promise<Account[]> {
    return (await this.sql.all<AccountRow>('SELECT * FROM accounts ORDER BY name')).map(toAccount);
  }

  /** Creates an account; `ALREADY_EXISTS` if the name is taken. */
  async add(
    name: string,
    passwordHash: string,
    o: { actor: string; quotaBytes?: number | undefined },
  ): Promise<void> {
    assertAccountName(name);
    const t = this.now();
    await this.sql.transaction(async (tx) => {
      if (await tx.get(`SELECT 1 FROM accounts WHERE name = ?${tx.forUpdate}`, [name]))
        throw new KluisError('ALREADY_EXISTS', `account ${name} already exists`);
      const r = await tx.run(
        'INSERT INTO accounts (name, password_hash, quota_bytes, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING',
        [name, passwordHash, o.quotaBytes ?? null, t, t],
      );
      if (r.changes === 0) throw new KluisError('ALREADY_EXISTS', `account ${name} already exists`);
      await recordAction(tx, this.now(), o.actor, 'account-add', name, { quotaBytes: o.quotaBytes ?? null });
    });
  }

  /** Replaces the password hash; every open login of the account must authenticate again. */
  setPassword(name: string, passwordHash: string, actor: string): Promise<void> {
    return this.update(name, 'password_hash = ?', [passwordHash], actor, 'account-passwd', {});
  }

  /** Disables (or with `enabled` re-enables) an account: its logins are refused. */
  setDisabled(name: string, disabled: boolean, actor: string): Promise<void> {
    const at = disabled ? this.now() : null;
    return this.update(
      name,
      'disabled_at = ?',
      [at],
      actor,
      disabled ? 'account-disable' : 'account-enable',
      {},
    );
  }

  /** Sets the capacity quota in bytes (`undefined`: unlimited). */
  async setQuota(name: string, quotaBytes: number | undefined, actor: string): Promise<void> {
    if (quotaBytes !== undefined && (!Number.isSafeInteger(quotaBytes) || quotaBytes < 0)) {
      throw new KluisError('INVALID_CONFIG', `quota must be a whole number of bytes, got ${quotaBytes}`);
    }
    await this.update(name, 'quota_bytes = ?', [quotaBytes ?? null], actor, 'quota-set', { quotaBytes });
  }

  /**
   * Sets the account's retention days and, optionally, its protected days (default: follow the
   * retention days). Objects younger than the protected days cannot be deleted but by an admin.
   */
  async setRetention(
    name: string,
    o: { days: number; protectDays?: number | undefined },
    actor: string,
  ): Promise<void> {
    for (const [what, v] of [
      ['retention days', o.days],
      ['protected days', o.protectDays],
    ] as const) {
      if (v !== undefined && (!Number.isSafeInteger(v) || v < 0 || v > 36_500)) {
        throw new KluisError(
          'INVALID_CONFIG',
          `${what} must be a whole number of days in 0..36500, got ${v}`,
        );
      }
    }
    const detail = { retentionDays: o.days, protectDays: o.protectDays ?? null };
    const set = 'retention_days = ?, protect_days = ?';
    await this.update(name, set, [o.days, o.protectDays ?? null], actor, 'retention-set', detail);
  }

  private async update(
    name: string,
    set: string,
    values: unknown[],
    actor: string,
    action: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.sql.transaction(async (tx) => {
      const r = await tx.run(`UPDATE accounts SET ${set}, updated_at = ? WHERE name = ?`, [
        ...values,
        this.now(),
        name,
      ]);
      if (r.changes === 0)
        throw new KluisError('NOT_FOUND', `no account ${name} (kluis-server account list)`);
      await recordAction(tx, this.now(), actor, action, name, detail);
    });
  }

  /** Appends to the record of administrative actions. */
  record(actor: string, action: string, subject: string, detail: Record<string, unknown>): Promise<void> {
    return recordAction(this.sql, this.now(), actor, action, subject, detail);
  }
}

/**
 * Appends one administrative action (who, what, to whom, details as JSON) to the append-only
 * record, inside the caller's transaction when `sql` is one.
 *
 * @example
 * ```ts
 * await recordAction(tx, Date.now(), 'root', 'grant', 'bob', { grant: 7 });
 * ```
 */
export async function recordAction(
  sql: Sql,
  time: number,
  actor: string,
  action: string,
  subject: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await sql.run('INSERT INTO admin_actions (time, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)', [
    time,
    actor,
    action,
    subject,
    JSON.stringify(detail),
  ]);
}
