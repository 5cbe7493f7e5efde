import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Sql } from './sql.ts';

/** An open accounts database (better-sqlite3 handle). */
export type Db = Database.Database;

/**
 * Schema migrations, applied in order. `PRAGMA user_version` records how many have run, so a
 * database created by an older server is upgraded in place and a newer one is refused. Never
 * edit a published migration: append a new one.
 */
const MIGRATIONS: readonly string[] = [
  // 1: accounts, the authorisation matrix (grants), and the record of administrative actions.
  `CREATE TABLE accounts (
     name          TEXT PRIMARY KEY,
     password_hash TEXT NOT NULL,
     quota_bytes   INTEGER,
     used_bytes    INTEGER NOT NULL DEFAULT 0,
     disabled_at   INTEGER,
     created_at    INTEGER NOT NULL,
     updated_at    INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE grants (
     id          INTEGER PRIMARY KEY,
     account     TEXT NOT NULL REFERENCES accounts(name),
     role        TEXT NOT NULL CHECK (role IN ('admin', 'backup', 'restore', 'auditor')),
     scope       TEXT NOT NULL,
     expires_at  INTEGER,
     note        TEXT,
     granted_by  TEXT NOT NULL,
     granted_at  INTEGER NOT NULL,
     revoked_by  TEXT,
     revoked_at  INTEGER
   ) STRICT;
   CREATE INDEX grants_by_account ON grants(account);
   CREATE TABLE admin_actions (
     id      INTEGER PRIMARY KEY,
     time    INTEGER NOT NULL,
     actor   TEXT NOT NULL,
     action  TEXT NOT NULL,
     subject TEXT NOT NULL,
     detail  TEXT
   ) STRICT;
   -- Grants and the action record are evidence: they are never deleted or rewritten.
   CREATE TRIGGER grants_no_delete BEFORE DELETE ON grants
     BEGIN SELECT RAISE(ABORT, 'grants are never deleted; revoke them'); END;
   CREATE TRIGGER admin_actions_no_delete BEFORE DELETE ON admin_actions
     BEGIN SELECT RAISE(ABORT, 'the action record is append-only'); END;
   CREATE TRIGGER admin_actions_no_update BEFORE UPDATE ON admin_actions
     BEGIN SELECT RAISE(ABORT, 'the action record is append-only'); END;`,
  // 2: the maintenance role; grants immutable except one revocation; retention per account; the
  //    time each object was stored (for the retention lock).
  `DROP TRIGGER grants_no_delete;
   CREATE TABLE grants_v2 (
     id          INTEGER PRIMARY KEY,
     account     TEXT NOT NULL REFERENCES accounts(name),
     role        TEXT NOT NULL CHECK (role IN ('admin', 'backup', 'maintenance', 'restore', 'auditor')),
     scope       TEXT NOT NULL,
     expires_at  INTEGER,
     note        TEXT,
     granted_by  TEXT NOT NULL,
     granted_at  INTEGER NOT NULL,
     revoked_by  TEXT,
     revoked_at  INTEGER
   ) STRICT;
   INSERT INTO grants_v2 SELECT * FROM grants;
   DROP TABLE grants;
   ALTER TABLE grants_v2 RENAME TO grants;
   CREATE INDEX grants_by_account ON grants(account);
   CREATE TRIGGER grants_no_delete BEFORE DELETE ON grants
     BEGIN SELECT RAISE(ABORT, 'grants are never deleted; revoke them'); END;
   -- The only change a grant ever sees: its one revocation, which sets who and when.
   CREATE TRIGGER grants_no_update BEFORE UPDATE ON grants
     WHEN NOT (
       OLD.revoked_at IS NULL AND OLD.revoked_by IS NULL
       AND NEW.revoked_at IS NOT NULL AND NEW.revoked_by IS NOT NULL
       AND NEW.id = OLD.id AND NEW.account = OLD.account AND NEW.role = OLD.role
       AND NEW.scope = OLD.scope AND NEW.expires_at IS OLD.expires_at AND NEW.note IS OLD.note
       AND NEW.granted_by = OLD.granted_by AND NEW.granted_at = OLD.granted_at)
     BEGIN SELECT RAISE(ABORT, 'grants are never changed; revoke them (kluis-server revoke)'); END;
   ALTER TABLE accounts ADD COLUMN retention_days INTEGER;
   ALTER TABLE accounts ADD COLUMN protect_days INTEGER;
   CREATE TABLE object_times (
     repo      TEXT NOT NULL,
     key       TEXT NOT NULL,
     stored_at INTEGER NOT NULL,
     PRIMARY KEY (repo, key)
   ) STRICT, WITHOUT ROWID;`,
  // 3: state that several server processes share: quota reservations of uploads in progress, and
  //    failed-login counts with their lockouts.
  `CREATE TABLE reservations (
     id         INTEGER PRIMARY KEY,
     account    TEXT NOT NULL,
     bytes      INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     node       TEXT NOT NULL DEFAULT ''
   ) STRICT;
   CREATE INDEX reservations_by_account ON reservations(account);
   CREATE TABLE lockouts (
     key          TEXT PRIMARY KEY,
     failures     TEXT NOT NULL,
     level        INTEGER NOT NULL,
     locked_until INTEGER NOT NULL,
     last_lock_at INTEGER,
     touched_at   INTEGER NOT NULL
   ) STRICT, WITHOUT ROWID;`,
];

/**
 * The schema version this code writes (`PRAGMA user_version`).
 *
 * @example
 * ```ts
 * db.pragma('user_version', { simple: true }) === SCHEMA_VERSION;
 * ```
 */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Opens (creating if needed) the accounts database at `file` in WAL mode and brings its schema
 * up to date. Several processes may open it at once (the server and the admin commands).
 *
 * The database holds password hashes, so it is owner-only whatever the umask: its directory is
 * created 0700, the file 0600 (an existing file is tightened to 0600), and SQLite gives the WAL and
 * shared-memory files the database file's mode.
 *
 * @example
 * ```ts
 * const db = openDb('/srv/kluis/accounts.db');
 * ```
 */
export function openDb(file: string): Db {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    for (const f of [`${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

function migrate(db: Db): void {
  const apply = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `accounts database has schema version ${current}, newer than this server's ${SCHEMA_VERSION}: upgrade the server`,
      );
    }
    for (let v = current; v < SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }
  });
  apply.immediate();
}

/**
 * The {@link Sql} interface over an open SQLite database. better-sqlite3 is synchronous, so a
 * statement runs at once; a transaction (`BEGIN IMMEDIATE`) holds the connection across the
 * awaits of its function, so statements of other requests wait for it instead of joining it.
 *
 * @example
 * ```ts
 * const sql = sqliteSql(openDb('/srv/kluis/accounts.db'));
 * const row = await sql.get<{ n: number }>('SELECT count(*) AS n FROM accounts');
 * ```
 */
export function sqliteSql(db: Db): Sql {
  let busy = false;
  let queue: Promise<void> = Promise.resolve();
  const direct = (): Sql => ({
    dialect: 'sqlite',
    forUpdate: '',
    all: async <T>(q: string, p: readonly unknown[] = []) => db.prepare(q).all(...p) as T[],
    get: async <T>(q: string, p: readonly unknown[] = []) => db.prepare(q).get(...p) as T | undefined,
    run: async (q: string, p: readonly unknown[] = []) => ({ changes: db.prepare(q).run(...p).changes }),
    transaction: () => Promise.reject(new Error('nested transactions are not supported')),
    close: async () => {},
  });
  const inTx = direct();
  const outside = async <T>(f: () => T): Promise<T> => {
    while (busy) await queue;
    return f();
  };
  return {
    dialect: 'sqlite',
    forUpdate: '',
    all: <T>(q: string, p: readonly unknown[] = []) => outside(() => db.prepare(q).all(...p) as T[]),
    get: <T>(q: string, p: readonly unknown[] = []) =>
      outside(() => db.prepare(q).get(...p) as T | undefined),
    run: (q, p = []) => outside(() => ({ changes: db.prepare(q).run(...p).changes })),
    async transaction(fn) {
      const before = queue;
      let done = () => {};
      queue = new Promise((r) => {
        done = r;
      });
      await before;
      busy = true;
      try {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(inTx);
          db.exec('COMMIT');
          return result;
        } catch (e) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw e;
        }
      } finally {
        busy = false;
        done();
      }
    },
    close: async () => {
      db.close();
    },
  };
}

/**
 * Appends one administrative action synchronously on an SQLite handle (for code that works on the
 * handle directly, such as the desk's views); the async stores use `recordAction`.
 *
 * @example
 * ```ts
 * recordSync(db, Date.now(), 'ops', 'quota-set', 'alice', { quotaBytes: 1e9 });
 * ```
 */
export function recordSync(
  db: Db,
  time: number,
  actor: string,
  action: string,
  subject: string,
  detail: Record<string, unknown>,
): void {
  db.prepare('INSERT INTO admin_actions (time, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)').run(
    time,
    actor,
    action,
    subject,
    JSON.stringify(detail),
  );
}
