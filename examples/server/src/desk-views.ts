import type { DeskAccounts } from './desk/desk.ts';
import type { Grant } from './grants.ts';
import type { Sql } from './sql.ts';

/** The grants of an account in force at a time (what the desk's routes need; `GrantStore` is one). */
export interface GrantsView {
  active(account: string, now: number): Promise<Grant[]>;
}

/**
 * The accounts as the desk reads them, on the server's database (SQLite or PostgreSQL). Every call
 * reads the database, so a quota changed on another node is seen at once.
 *
 * @example
 * ```ts
 * const accounts = sqlDeskAccounts(sqliteSql(openDb('accounts.db')));
 * await accounts.quotaOf('alice');
 * ```
 */
export function sqlDeskAccounts(sql: Sql): DeskAccounts {
  const one = (name: string) =>
    sql.get<{ quota_bytes: number | null; used_bytes: number }>(
      'SELECT quota_bytes, used_bytes FROM accounts WHERE name = ?',
      [name],
    );
  return {
    async quotaOf(name) {
      const row = await one(name);
      return row === undefined ? null : (row.quota_bytes ?? undefined);
    },
    usedOf: async (name) => (await one(name))?.used_bytes ?? 0,
    names: async () =>
      (await sql.all<{ name: string }>('SELECT name FROM accounts ORDER BY name')).map((r) => r.name),
  };
}
