import type { Db } from './db.ts';
import { recordSync } from './db.ts';
import type { DeskAccounts } from './desk/desk.ts';
import type { Grant } from './grants.ts';
import { grantActive, type Role } from './matrix.ts';

/** The grants of an account in force at a time, read at once (what the desk's routes need). */
export interface GrantsView {
  active(account: string, now: number): Grant[];
}

/**
 * The accounts as the desk sees them, read and written synchronously on the SQLite accounts
 * database (the desk's own store is SQLite only so far). A quota set here is recorded as an
 * admin action in the same transaction, as `AccountStore.setQuota` does.
 *
 * @example
 * ```ts
 * const accounts = sqliteDeskAccounts(openDb('accounts.db'), Date.now);
 * accounts.quotaOf('alice');
 * ```
 */
export function sqliteDeskAccounts(db: Db, now: () => number): DeskAccounts {
  const one = db.prepare('SELECT quota_bytes, used_bytes FROM accounts WHERE name = ?');
  return {
    quotaOf(name) {
      const row = one.get(name) as { quota_bytes: number | null } | undefined;
      return row === undefined ? null : (row.quota_bytes ?? undefined);
    },
    usedOf: (name) => (one.get(name) as { used_bytes: number } | undefined)?.used_bytes ?? 0,
    setQuota(name, bytes, actor) {
      db.transaction(() => {
        const t = now();
        db.prepare('UPDATE accounts SET quota_bytes = ?, updated_at = ? WHERE name = ?').run(bytes, t, name);
        recordSync(db, t, actor, 'quota-set', name, { quotaBytes: bytes });
      }).immediate();
    },
    names: () =>
      (db.prepare('SELECT name FROM accounts ORDER BY name').all() as { name: string }[]).map((r) => r.name),
  };
}

/**
 * The grants in force, read synchronously on the SQLite accounts database.
 *
 * @example
 * ```ts
 * sqliteGrantsView(db).active('bob', Date.now());
 * ```
 */
export function sqliteGrantsView(db: Db): GrantsView {
  const stmt = db.prepare('SELECT * FROM grants WHERE account = ? AND revoked_at IS NULL ORDER BY id');
  return {
    active(account, t) {
      const rows = stmt.all(account) as {
        id: number;
        account: string;
        role: string;
        scope: string;
        expires_at: number | null;
        note: string | null;
        granted_by: string;
        granted_at: number;
        revoked_by: string | null;
        revoked_at: number | null;
      }[];
      return rows
        .map((r) => ({
          id: r.id,
          account: r.account,
          role: r.role as Role,
          scope: r.scope,
          expiresAt: r.expires_at ?? undefined,
          note: r.note ?? undefined,
          grantedBy: r.granted_by,
          grantedAt: r.granted_at,
          revokedBy: r.revoked_by ?? undefined,
          revokedAt: r.revoked_at ?? undefined,
        }))
        .filter((g) => grantActive(g, t));
    },
  };
}
