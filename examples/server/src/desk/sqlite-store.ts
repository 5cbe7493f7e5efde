import { KluisError } from '@kluis/core';
import type { Db } from '../db.ts';
import type { Sql } from '../sql.ts';
import { SqlDeskStore } from './sql-store.ts';
import type { DeskStore } from './store.ts';

/**
 * The desk's schema migrations, applied in order; `desk_schema.version` records how many have run
 * (the accounts schema keeps `PRAGMA user_version` for itself). Never edit a published migration:
 * append a new one.
 */
const MIGRATIONS: readonly string[] = [
  // 1: capacity requests, announcements, incidents and their events, coordinators' addresses, the
  //    e-mail outbox, and the append-only record of desk actions.
  `CREATE TABLE desk_capacity_requests (
     id            INTEGER PRIMARY KEY,
     account       TEXT NOT NULL,
     from_bytes    INTEGER,
     to_bytes      INTEGER NOT NULL,
     note          TEXT,
     requested_by  TEXT NOT NULL,
     requested_at  INTEGER NOT NULL,
     due_at        INTEGER NOT NULL,
     due_date      TEXT NOT NULL,
     fulfilled_by  TEXT,
     fulfilled_at  INTEGER
   ) STRICT;
   CREATE INDEX desk_capacity_by_account ON desk_capacity_requests(account);
   CREATE TABLE desk_announcements (
     id            INTEGER PRIMARY KEY,
     start_at      INTEGER NOT NULL,
     end_at        INTEGER NOT NULL CHECK (end_at > start_at),
     reason        TEXT NOT NULL,
     kind          TEXT NOT NULL CHECK (kind IN ('planned', 'unplanned')),
     announced_by  TEXT NOT NULL,
     announced_at  INTEGER NOT NULL,
     cancelled_by  TEXT,
     cancelled_at  INTEGER
   ) STRICT;
   CREATE INDEX desk_announcements_by_end ON desk_announcements(end_at);
   CREATE TABLE desk_incidents (
     id         INTEGER PRIMARY KEY,
     account    TEXT NOT NULL,
     title      TEXT NOT NULL,
     impact     TEXT NOT NULL CHECK (impact IN ('high', 'medium', 'low')),
     urgency    TEXT NOT NULL CHECK (urgency IN ('high', 'medium', 'low')),
     opened_by  TEXT NOT NULL,
     opened_at  INTEGER NOT NULL
   ) STRICT;
   CREATE INDEX desk_incidents_by_account ON desk_incidents(account);
   CREATE TABLE desk_incident_events (
     id           INTEGER PRIMARY KEY,
     incident     INTEGER NOT NULL REFERENCES desk_incidents(id),
     type         TEXT NOT NULL CHECK (type IN ('reported', 'detected', 'acknowledged', 'update', 'restored', 'accepted', 'signed-off')),
     at           INTEGER NOT NULL,
     note         TEXT,
     by           TEXT NOT NULL,
     recorded_at  INTEGER NOT NULL
   ) STRICT;
   CREATE INDEX desk_events_by_incident ON desk_incident_events(incident);
   CREATE TABLE desk_contacts (
     account  TEXT PRIMARY KEY,
     email    TEXT NOT NULL
   ) STRICT;
   CREATE TABLE desk_outbox (
     id          INTEGER PRIMARY KEY,
     to_addr     TEXT NOT NULL,
     subject     TEXT NOT NULL,
     body        TEXT NOT NULL,
     topic       TEXT NOT NULL,
     created_at  INTEGER NOT NULL,
     sent_at     INTEGER,
     attempts    INTEGER NOT NULL DEFAULT 0,
     last_error  TEXT
   ) STRICT;
   CREATE TABLE desk_actions (
     id       INTEGER PRIMARY KEY,
     time     INTEGER NOT NULL,
     actor    TEXT NOT NULL,
     action   TEXT NOT NULL,
     subject  TEXT NOT NULL,
     detail   TEXT NOT NULL
   ) STRICT;
   -- Incident events and the action record are evidence: append-only.
   CREATE TRIGGER desk_events_no_change BEFORE UPDATE ON desk_incident_events
     BEGIN SELECT RAISE(ABORT, 'incident events are append-only'); END;
   CREATE TRIGGER desk_events_no_delete BEFORE DELETE ON desk_incident_events
     BEGIN SELECT RAISE(ABORT, 'incident events are append-only'); END;
   CREATE TRIGGER desk_actions_no_update BEFORE UPDATE ON desk_actions
     BEGIN SELECT RAISE(ABORT, 'the desk record is append-only'); END;
   CREATE TRIGGER desk_actions_no_delete BEFORE DELETE ON desk_actions
     BEGIN SELECT RAISE(ABORT, 'the desk record is append-only'); END;`,
];

/**
 * The desk schema version this code writes.
 *
 * @example
 * ```ts
 * DESK_SCHEMA_VERSION; // 1
 * ```
 */
export const DESK_SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the desk tables of `db` up to date; refuses a database written by a newer server. */
export function migrateDesk(db: Db): void {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS desk_schema (version INTEGER NOT NULL) STRICT');
    const row = db.prepare('SELECT version FROM desk_schema').get() as { version: number } | undefined;
    if (!row) db.prepare('INSERT INTO desk_schema (version) VALUES (0)').run();
    const current = row?.version ?? 0;
    if (current > DESK_SCHEMA_VERSION) {
      throw new KluisError(
        'UNSUPPORTED_VERSION',
        `desk tables have schema version ${current}, newer than this server's ${DESK_SCHEMA_VERSION}: upgrade the server`,
      );
    }
    for (let v = current; v < DESK_SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v]!);
      db.prepare('UPDATE desk_schema SET version = ?').run(v + 1);
    }
  }).immediate();
}

/**
 * The desk's store in an SQLite accounts database: migrates its tables, then serves them through
 * the server's {@link Sql} layer (`sql`, the same one the account stores use, so transactions of
 * both queue on the one connection).
 *
 * @example
 * ```ts
 * const db = openDb('/srv/kluis/accounts.db');
 * const store = openSqliteDeskStore(db, sqliteSql(db));
 * ```
 */
export function openSqliteDeskStore(db: Db, sql: Sql): DeskStore {
  migrateDesk(db);
  return new SqlDeskStore(sql);
}
