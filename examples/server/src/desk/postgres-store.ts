import { migrateVersioned } from '../db-postgres.ts';
import type { Sql } from '../sql.ts';
import { SqlDeskStore } from './sql-store.ts';
import type { DeskStore } from './store.ts';

/**
 * The desk's PostgreSQL schema migrations, applied in order at start; the `desk_schema` table
 * records which have run (one row per version, as `kluis_schema` does for the accounts). The same
 * tables and rules as the SQLite migrations (`sqlite-store.ts`): incident events and the action
 * record are append-only, enforced by triggers. Never edit a published migration: append a new one.
 */
const MIGRATIONS: readonly string[] = [
  // 1: capacity requests, announcements, incidents and their events, coordinators' addresses, the
  //    e-mail outbox, and the append-only record of desk actions.
  `CREATE TABLE desk_capacity_requests (
     id            BIGSERIAL PRIMARY KEY,
     account       TEXT NOT NULL,
     from_bytes    BIGINT,
     to_bytes      BIGINT NOT NULL,
     note          TEXT,
     requested_by  TEXT NOT NULL,
     requested_at  BIGINT NOT NULL,
     due_at        BIGINT NOT NULL,
     due_date      TEXT NOT NULL,
     fulfilled_by  TEXT,
     fulfilled_at  BIGINT
   );
   CREATE INDEX desk_capacity_by_account ON desk_capacity_requests(account);
   CREATE TABLE desk_announcements (
     id            BIGSERIAL PRIMARY KEY,
     start_at      BIGINT NOT NULL,
     end_at        BIGINT NOT NULL CHECK (end_at > start_at),
     reason        TEXT NOT NULL,
     kind          TEXT NOT NULL CHECK (kind IN ('planned', 'unplanned')),
     announced_by  TEXT NOT NULL,
     announced_at  BIGINT NOT NULL,
     cancelled_by  TEXT,
     cancelled_at  BIGINT
   );
   CREATE INDEX desk_announcements_by_end ON desk_announcements(end_at);
   CREATE TABLE desk_incidents (
     id         BIGSERIAL PRIMARY KEY,
     account    TEXT NOT NULL,
     title      TEXT NOT NULL,
     impact     TEXT NOT NULL CHECK (impact IN ('high', 'medium', 'low')),
     urgency    TEXT NOT NULL CHECK (urgency IN ('high', 'medium', 'low')),
     opened_by  TEXT NOT NULL,
     opened_at  BIGINT NOT NULL
   );
   CREATE INDEX desk_incidents_by_account ON desk_incidents(account);
   CREATE TABLE desk_incident_events (
     id           BIGSERIAL PRIMARY KEY,
     incident     BIGINT NOT NULL REFERENCES desk_incidents(id),
     type         TEXT NOT NULL CHECK (type IN ('reported', 'detected', 'acknowledged', 'update', 'restored', 'accepted', 'signed-off')),
     at           BIGINT NOT NULL,
     note         TEXT,
     by           TEXT NOT NULL,
     recorded_at  BIGINT NOT NULL
   );
   CREATE INDEX desk_events_by_incident ON desk_incident_events(incident);
   CREATE TABLE desk_contacts (
     account  TEXT PRIMARY KEY,
     email    TEXT NOT NULL
   );
   CREATE TABLE desk_outbox (
     id          BIGSERIAL PRIMARY KEY,
     to_addr     TEXT NOT NULL,
     subject     TEXT NOT NULL,
     body        TEXT NOT NULL,
     topic       TEXT NOT NULL,
     created_at  BIGINT NOT NULL,
     sent_at     BIGINT,
     attempts    INTEGER NOT NULL DEFAULT 0,
     last_error  TEXT
   );
   CREATE TABLE desk_actions (
     id       BIGSERIAL PRIMARY KEY,
     time     BIGINT NOT NULL,
     actor    TEXT NOT NULL,
     action   TEXT NOT NULL,
     subject  TEXT NOT NULL,
     detail   TEXT NOT NULL
   );
   -- Incident events and the action record are evidence: append-only.
   CREATE FUNCTION kluis_desk_events_guard() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION 'incident events are append-only';
   END $$;
   CREATE TRIGGER desk_events_append_only BEFORE UPDATE OR DELETE ON desk_incident_events
     FOR EACH ROW EXECUTE FUNCTION kluis_desk_events_guard();
   CREATE FUNCTION kluis_desk_actions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION 'the desk record is append-only';
   END $$;
   CREATE TRIGGER desk_actions_append_only BEFORE UPDATE OR DELETE ON desk_actions
     FOR EACH ROW EXECUTE FUNCTION kluis_desk_actions_guard();`,
];

/**
 * The desk's PostgreSQL schema version this code writes (rows of `desk_schema`).
 *
 * @example
 * ```ts
 * const { v } = await sql.get('SELECT max(version) AS v FROM desk_schema');
 * ```
 */
export const PG_DESK_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the desk's tables in a PostgreSQL accounts database up to date: in one transaction under
 * an advisory lock, so nodes starting together migrate once; a database written by a newer server
 * is refused.
 *
 * @example
 * ```ts
 * await migratePostgresDesk(await openPostgres('postgres://kluis@db.internal/kluis'));
 * ```
 */
export async function migratePostgresDesk(sql: Sql): Promise<void> {
  await migrateVersioned(sql, 'desk_schema', MIGRATIONS, 'desk tables');
}

/**
 * The desk's store in a PostgreSQL accounts database (migrated first).
 *
 * @example
 * ```ts
 * const store = await openPostgresDeskStore(await openPostgres('postgres://kluis@db.internal/kluis'));
 * ```
 */
export async function openPostgresDeskStore(sql: Sql): Promise<DeskStore> {
  await migratePostgresDesk(sql);
  return new SqlDeskStore(sql);
}
