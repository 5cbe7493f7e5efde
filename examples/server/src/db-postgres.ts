import { KluisError } from '@kluis/core';
import type { CustomTypesConfig } from 'pg';
import type { Sql } from './sql.ts';

/**
 * PostgreSQL schema migrations, applied in order at start; the `kluis_schema` table records how
 * many have run. The same tables and rules as the SQLite schema (`db.ts`): grants change only by
 * their one revocation, and the action record is append-only, enforced by triggers. Never edit a
 * published migration: append a new one.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE accounts (
     name           TEXT PRIMARY KEY,
     password_hash  TEXT NOT NULL,
     quota_bytes    BIGINT,
     used_bytes     BIGINT NOT NULL DEFAULT 0,
     disabled_at    BIGINT,
     created_at     BIGINT NOT NULL,
     updated_at     BIGINT NOT NULL,
     retention_days INTEGER,
     protect_days   INTEGER
   );
   CREATE TABLE grants (
     id          BIGSERIAL PRIMARY KEY,
     account     TEXT NOT NULL REFERENCES accounts(name),
     role        TEXT NOT NULL CHECK (role IN ('admin', 'backup', 'maintenance', 'restore', 'auditor')),
     scope       TEXT NOT NULL,
     expires_at  BIGINT,
     note        TEXT,
     granted_by  TEXT NOT NULL,
     granted_at  BIGINT NOT NULL,
     revoked_by  TEXT,
     revoked_at  BIGINT
   );
   CREATE INDEX grants_by_account ON grants(account);
   CREATE TABLE admin_actions (
     id      BIGSERIAL PRIMARY KEY,
     time    BIGINT NOT NULL,
     actor   TEXT NOT NULL,
     action  TEXT NOT NULL,
     subject TEXT NOT NULL,
     detail  TEXT
   );
   CREATE TABLE object_times (
     repo      TEXT NOT NULL,
     key       TEXT NOT NULL,
     stored_at BIGINT NOT NULL,
     PRIMARY KEY (repo, key)
   );
   CREATE TABLE reservations (
     id         BIGSERIAL PRIMARY KEY,
     account    TEXT NOT NULL,
     bytes      BIGINT NOT NULL,
     created_at BIGINT NOT NULL,
     node       TEXT NOT NULL DEFAULT ''
   );
   CREATE INDEX reservations_by_account ON reservations(account);
   CREATE TABLE lockouts (
     key          TEXT PRIMARY KEY,
     failures     TEXT NOT NULL,
     level        INTEGER NOT NULL,
     locked_until BIGINT NOT NULL,
     last_lock_at BIGINT,
     touched_at   BIGINT NOT NULL
   );
   CREATE FUNCTION kluis_grants_guard() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'DELETE' THEN
       RAISE EXCEPTION 'grants are never deleted; revoke them';
     END IF;
     IF NOT (OLD.revoked_at IS NULL AND OLD.revoked_by IS NULL
         AND NEW.revoked_at IS NOT NULL AND NEW.revoked_by IS NOT NULL
         AND NEW.id = OLD.id AND NEW.account = OLD.account AND NEW.role = OLD.role
         AND NEW.scope = OLD.scope AND NEW.expires_at IS NOT DISTINCT FROM OLD.expires_at
         AND NEW.note IS NOT DISTINCT FROM OLD.note
         AND NEW.granted_by = OLD.granted_by AND NEW.granted_at = OLD.granted_at) THEN
       RAISE EXCEPTION 'grants are never changed; revoke them (kluis-server revoke)';
     END IF;
     RETURN NEW;
   END $$;
   CREATE TRIGGER grants_guard BEFORE UPDATE OR DELETE ON grants
     FOR EACH ROW EXECUTE FUNCTION kluis_grants_guard();
   CREATE FUNCTION kluis_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION 'the action record is append-only';
   END $$;
   CREATE TRIGGER admin_actions_append_only BEFORE UPDATE OR DELETE ON admin_actions
     FOR EACH ROW EXECUTE FUNCTION kluis_append_only();`,
];

/**
 * The PostgreSQL schema version this code writes (rows of `kluis_schema`).
 *
 * @example
 * ```ts
 * const { version } = await sql.get('SELECT max(version) AS version FROM kluis_schema');
 * ```
 */
export const PG_SCHEMA_VERSION = MIGRATIONS.length;

/** `?` placeholders (outside string literals) to PostgreSQL's `$1`, `$2`, … */
function numbered(sql: string): string {
  let n = 0;
  let quoted = false;
  let out = '';
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    out += ch === '?' && !quoted ? `$${++n}` : ch;
  }
  return out;
}

interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

function over(client: Queryable, transaction: Sql['transaction'], close: Sql['close']): Sql {
  // Without parameters the simple protocol runs, which accepts several statements (migrations).
  const q = (sql: string, p: readonly unknown[] = []) =>
    p.length ? client.query(numbered(sql), [...p]) : client.query(sql);
  return {
    dialect: 'postgres',
    forUpdate: ' FOR UPDATE',
    all: async <T>(sql: string, p?: readonly unknown[]) => (await q(sql, p)).rows as T[],
    get: async <T>(sql: string, p?: readonly unknown[]) => (await q(sql, p)).rows[0] as T | undefined,
    run: async (sql: string, p?: readonly unknown[]) => ({ changes: (await q(sql, p)).rowCount ?? 0 }),
    transaction,
    close,
  };
}

/**
 * Connects to PostgreSQL at `url` (`postgres://user@host:port/db`; the password may come from
 * `PGPASSWORD`) with a pool of `max` connections, and brings the schema up to date: migrations
 * run in one transaction under an advisory lock, so nodes starting together migrate once, and a
 * database newer than this server is refused. `BIGINT` columns read as numbers (every value the
 * server stores is below 2^53).
 *
 * @example
 * ```ts
 * const sql = await openPostgres('postgres://kluis@db.internal/kluis');
 * ```
 */
export async function openPostgres(url: string, o: { max?: number } = {}): Promise<Sql> {
  const { default: pg } = await import('pg');
  const parse = (oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text');
  const types = { getTypeParser: parse } as unknown as CustomTypesConfig;
  const pool = new pg.Pool({ connectionString: url, max: o.max ?? 10, types });
  // An idle connection the server drops (restart, failover) must not crash the process.
  pool.on('error', () => {});
  const close = () => pool.end();
  const transaction = async <T>(fn: (tx: Sql) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      try {
        const result = await fn(over(client, () => Promise.reject(new Error('nested transaction')), close));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      }
    } finally {
      client.release();
    }
  };
  const sql = over(pool as unknown as Queryable, transaction, close);
  try {
    await migrate(sql);
  } catch (e) {
    await pool.end();
    throw e;
  }
  return sql;
}

async function migrate(sql: Sql): Promise<void> {
  await migrateVersioned(sql, 'kluis_schema', MIGRATIONS, 'accounts database');
}

/**
 * Runs `migrations` not yet recorded in the version table `table`, in one transaction under an
 * advisory lock (one migrating node at a time; the lock ends with the transaction); a database
 * written by a newer server (more versions than `migrations`) is refused. Internal: the accounts
 * schema and the desk's each keep their own table.
 */
export async function migrateVersioned(
  sql: Sql,
  table: string,
  migrations: readonly string[],
  what: string,
): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.run(`SELECT pg_advisory_xact_lock(hashtext('${table}'))`);
    await tx.run(
      `CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
    );
    const row = await tx.get<{ v: number | null }>(`SELECT max(version) AS v FROM ${table}`);
    const current = row?.v ?? 0;
    if (current > migrations.length) {
      throw new KluisError(
        'UNSUPPORTED_VERSION',
        `${what} has schema version ${current}, newer than this server's ${migrations.length}: upgrade the server`,
      );
    }
    for (let v = current; v < migrations.length; v++) {
      await tx.run(migrations[v]!);
      await tx.run(`INSERT INTO ${table} (version, applied_at) VALUES (?, ?)`, [v + 1, Date.now()]);
    }
  });
}
