import { AccountStore } from './accounts.ts';
import { type Db, openDb, sqliteSql } from './db.ts';
import { openPostgres } from './db-postgres.ts';
import { GrantStore } from './grants.ts';
import { QuotaLedger } from './quota.ts';
import { isPostgresUrl, type Sql } from './sql.ts';

/**
 * Everything the server keeps besides the objects: accounts with their password hashes and
 * quotas, grants with their history, usage and reservations, lockout counts, the record of
 * administrative actions and the retention times, in one database. SQLite (a file, the default)
 * serves one machine; PostgreSQL serves any number of server nodes, which then share every one of
 * these, so each node is stateless but for its verified-password cache.
 */
export interface ServerStore {
  /** The database, for the parts built on it (lockout, retention lock). */
  readonly sql: Sql;
  readonly accounts: AccountStore;
  readonly grants: GrantStore;
  readonly ledger: QuotaLedger;
  /** `sqlite` or `postgres`. */
  readonly engine: Sql['dialect'];
  /** The SQLite handle (the desk migrates its tables on it); `undefined` on PostgreSQL. */
  readonly sqlite: Db | undefined;
  close(): Promise<void>;
}

/**
 * Opens the store the `database` setting names: a `postgres://` URL, or the path of an SQLite
 * file. Either is created or migrated to the current schema. `node` names this server node (see
 * `QuotaLedger`); admin commands leave it empty.
 *
 * @example
 * ```ts
 * const store = await openStore('postgres://kluis@db.internal/kluis', Date.now);
 * const alice = await store.accounts.get('alice');
 * ```
 */
export async function openStore(database: string, now: () => number, node = ''): Promise<ServerStore> {
  const sqlite = isPostgresUrl(database) ? undefined : openDb(database);
  const sql = sqlite ? sqliteSql(sqlite) : await openPostgres(database);
  return {
    sql,
    accounts: new AccountStore(sql, now),
    grants: new GrantStore(sql, now),
    ledger: new QuotaLedger(sql, now, node),
    engine: sql.dialect,
    sqlite,
    close: () => sql.close(),
  };
}
