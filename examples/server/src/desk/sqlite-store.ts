import type { Db } from '../db.ts';
import type {
  Announcement,
  CapacityRequest,
  DeskAction,
  DeskIncident,
  DeskIncidentEvent,
  DeskStore,
  NewMessage,
  OutboxMessage,
} from './store.ts';

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
      throw new Error(
        `desk tables have schema version ${current}, newer than this server's ${DESK_SCHEMA_VERSION}: upgrade the server`,
      );
    }
    for (let v = current; v < DESK_SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v]!);
      db.prepare('UPDATE desk_schema SET version = ?').run(v + 1);
    }
  }).immediate();
}

const opt = <T>(v: T | null): T | undefined => v ?? undefined;

type Row = Record<string, unknown>;

function capacity(r: Row): CapacityRequest {
  return {
    id: r.id as number,
    account: r.account as string,
    fromBytes: opt(r.from_bytes as number | null),
    toBytes: r.to_bytes as number,
    note: opt(r.note as string | null),
    requestedBy: r.requested_by as string,
    requestedAt: r.requested_at as number,
    dueAt: r.due_at as number,
    dueDate: r.due_date as string,
    fulfilledBy: opt(r.fulfilled_by as string | null),
    fulfilledAt: opt(r.fulfilled_at as number | null),
  };
}

function announcement(r: Row): Announcement {
  return {
    id: r.id as number,
    start: r.start_at as number,
    end: r.end_at as number,
    reason: r.reason as string,
    kind: r.kind as Announcement['kind'],
    announcedBy: r.announced_by as string,
    announcedAt: r.announced_at as number,
    cancelledBy: opt(r.cancelled_by as string | null),
    cancelledAt: opt(r.cancelled_at as number | null),
  };
}

function event(r: Row): DeskIncidentEvent {
  return {
    id: r.id as number,
    type: r.type as DeskIncidentEvent['type'],
    at: r.at as number,
    note: opt(r.note as string | null),
    by: r.by as string,
    recordedAt: r.recorded_at as number,
  };
}

function message(r: Row): OutboxMessage {
  return {
    id: r.id as number,
    to: r.to_addr as string,
    subject: r.subject as string,
    body: r.body as string,
    topic: r.topic as string,
    createdAt: r.created_at as number,
    sentAt: opt(r.sent_at as number | null),
    attempts: r.attempts as number,
    lastError: opt(r.last_error as string | null),
  };
}

/**
 * {@link DeskStore} in SQLite: the server's accounts database (the desk's tables are created and
 * migrated on open, beside the accounts' own).
 *
 * @example
 * ```ts
 * const store = new SqliteDeskStore(openDb('/srv/kluis/accounts.db'));
 * ```
 */
export class SqliteDeskStore implements DeskStore {
  constructor(private readonly db: Db) {
    migrateDesk(db);
  }

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  record(
    time: number,
    actor: string,
    action: string,
    subject: string,
    detail: Record<string, unknown>,
  ): void {
    this.db
      .prepare('INSERT INTO desk_actions (time, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)')
      .run(time, actor, action, subject, JSON.stringify(detail));
  }

  actions(o: { subject?: string; limit?: number } = {}): DeskAction[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM desk_actions ${o.subject ? 'WHERE subject = @subject' : ''} ORDER BY id DESC LIMIT @limit`,
      )
      .all({ ...(o.subject ? { subject: o.subject } : {}), limit: o.limit ?? 1000 }) as Row[];
    return rows.reverse().map((r) => ({
      id: r.id as number,
      time: r.time as number,
      actor: r.actor as string,
      action: r.action as string,
      subject: r.subject as string,
      detail: JSON.parse(r.detail as string) as Record<string, unknown>,
    }));
  }

  addCapacityRequest(r: Omit<CapacityRequest, 'id' | 'fulfilledBy' | 'fulfilledAt'>): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO desk_capacity_requests (account, from_bytes, to_bytes, note, requested_by, requested_at, due_at, due_date)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          r.account,
          r.fromBytes ?? null,
          r.toBytes,
          r.note ?? null,
          r.requestedBy,
          r.requestedAt,
          r.dueAt,
          r.dueDate,
        ).lastInsertRowid,
    );
  }

  capacityRequest(id: number): CapacityRequest | undefined {
    const r = this.db.prepare('SELECT * FROM desk_capacity_requests WHERE id = ?').get(id) as Row | undefined;
    return r ? capacity(r) : undefined;
  }

  capacityRequests(o: { account?: string; open?: boolean } = {}): CapacityRequest[] {
    const where: string[] = [];
    if (o.account !== undefined) where.push('account = @account');
    if (o.open) where.push('fulfilled_at IS NULL');
    const sql = `SELECT * FROM desk_capacity_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    return (this.db.prepare(sql).all(o.account !== undefined ? { account: o.account } : {}) as Row[]).map(
      capacity,
    );
  }

  fulfilCapacityRequest(id: number, by: string, at: number): void {
    this.db
      .prepare(
        'UPDATE desk_capacity_requests SET fulfilled_by = ?, fulfilled_at = ? WHERE id = ? AND fulfilled_at IS NULL',
      )
      .run(by, at, id);
  }

  addAnnouncement(a: Omit<Announcement, 'id' | 'cancelledBy' | 'cancelledAt'>): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO desk_announcements (start_at, end_at, reason, kind, announced_by, announced_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(a.start, a.end, a.reason, a.kind, a.announcedBy, a.announcedAt).lastInsertRowid,
    );
  }

  announcement(id: number): Announcement | undefined {
    const r = this.db.prepare('SELECT * FROM desk_announcements WHERE id = ?').get(id) as Row | undefined;
    return r ? announcement(r) : undefined;
  }

  announcements(o: { after?: number; includeCancelled?: boolean } = {}): Announcement[] {
    const where = ['end_at > @after'];
    if (!o.includeCancelled) where.push('cancelled_at IS NULL');
    return (
      this.db
        .prepare(`SELECT * FROM desk_announcements WHERE ${where.join(' AND ')} ORDER BY start_at, id`)
        .all({ after: o.after ?? Number.MIN_SAFE_INTEGER }) as Row[]
    ).map(announcement);
  }

  cancelAnnouncement(id: number, by: string, at: number): void {
    this.db
      .prepare(
        'UPDATE desk_announcements SET cancelled_by = ?, cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL',
      )
      .run(by, at, id);
  }

  addIncident(i: Omit<DeskIncident, 'id' | 'events'>): number {
    return Number(
      this.db
        .prepare(
          'INSERT INTO desk_incidents (account, title, impact, urgency, opened_by, opened_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(i.account, i.title, i.impact, i.urgency, i.openedBy, i.openedAt).lastInsertRowid,
    );
  }

  addIncidentEvent(incident: number, e: Omit<DeskIncidentEvent, 'id'>): number {
    return Number(
      this.db
        .prepare(
          'INSERT INTO desk_incident_events (incident, type, at, note, by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(incident, e.type, e.at, e.note ?? null, e.by, e.recordedAt).lastInsertRowid,
    );
  }

  incident(id: number): DeskIncident | undefined {
    return this.incidentRows('WHERE id = @id', { id })[0];
  }

  incidents(o: { account?: string } = {}): DeskIncident[] {
    return o.account === undefined
      ? this.incidentRows('', {})
      : this.incidentRows('WHERE account = @account', { account: o.account });
  }

  private incidentRows(where: string, params: Record<string, unknown>): DeskIncident[] {
    const rows = this.db.prepare(`SELECT * FROM desk_incidents ${where} ORDER BY id`).all(params) as Row[];
    const events = this.db.prepare('SELECT * FROM desk_incident_events WHERE incident = ? ORDER BY at, id');
    return rows.map((r) => ({
      id: r.id as number,
      account: r.account as string,
      title: r.title as string,
      impact: r.impact as DeskIncident['impact'],
      urgency: r.urgency as DeskIncident['urgency'],
      openedBy: r.opened_by as string,
      openedAt: r.opened_at as number,
      events: (events.all(r.id) as Row[]).map(event),
    }));
  }

  setContact(account: string, email: string): void {
    this.db
      .prepare(
        'INSERT INTO desk_contacts (account, email) VALUES (?, ?) ON CONFLICT(account) DO UPDATE SET email = excluded.email',
      )
      .run(account, email);
  }

  contact(account: string): string | undefined {
    const r = this.db.prepare('SELECT email FROM desk_contacts WHERE account = ?').get(account) as
      | Row
      | undefined;
    return r ? (r.email as string) : undefined;
  }

  contacts(): { account: string; email: string }[] {
    return this.db.prepare('SELECT account, email FROM desk_contacts ORDER BY account').all() as {
      account: string;
      email: string;
    }[];
  }

  enqueue(m: NewMessage, at: number): number {
    return Number(
      this.db
        .prepare('INSERT INTO desk_outbox (to_addr, subject, body, topic, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(m.to, m.subject, m.body, m.topic, at).lastInsertRowid,
    );
  }

  pending(limit: number): OutboxMessage[] {
    return (
      this.db
        .prepare('SELECT * FROM desk_outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?')
        .all(limit) as Row[]
    ).map(message);
  }

  outbox(limit = 1000): OutboxMessage[] {
    return (this.db.prepare('SELECT * FROM desk_outbox ORDER BY id DESC LIMIT ?').all(limit) as Row[])
      .reverse()
      .map(message);
  }

  markSent(id: number, at: number): void {
    this.db.prepare('UPDATE desk_outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?').run(at, id);
  }

  markFailed(id: number, error: string): void {
    this.db
      .prepare('UPDATE desk_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?')
      .run(error, id);
  }
}
