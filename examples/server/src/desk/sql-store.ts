import { recordAction } from '../accounts.ts';
import type { Sql } from '../sql.ts';
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
 * {@link DeskStore} over the server's {@link Sql} layer: the same statements on SQLite and on
 * PostgreSQL, in the accounts database beside the accounts' own tables. The tables must exist:
 * open it with `openSqliteDeskStore` or `openPostgresDeskStore`, which run the migrations.
 *
 * @example
 * ```ts
 * const store = new SqlDeskStore(sqliteSql(db));
 * await store.tx(async (s) => s.setContact('alice', 'it@alice.example'));
 * ```
 */
export class SqlDeskStore implements DeskStore {
  constructor(private readonly sql: Sql) {}

  tx<T>(fn: (s: DeskStore) => Promise<T>): Promise<T> {
    return this.sql.transaction((tx) => fn(new SqlDeskStore(tx)));
  }

  private async insert(q: string, p: readonly unknown[]): Promise<number> {
    const row = await this.sql.get<{ id: number }>(`${q} RETURNING id`, p);
    return Number(row!.id);
  }

  async record(
    time: number,
    actor: string,
    action: string,
    subject: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.sql.run(
      'INSERT INTO desk_actions (time, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)',
      [time, actor, action, subject, JSON.stringify(detail)],
    );
  }

  async actions(o: { subject?: string; limit?: number } = {}): Promise<DeskAction[]> {
    const rows = await this.sql.all<Row>(
      `SELECT * FROM desk_actions ${o.subject ? 'WHERE subject = ?' : ''} ORDER BY id DESC LIMIT ?`,
      [...(o.subject ? [o.subject] : []), o.limit ?? 1000],
    );
    return rows.reverse().map((r) => ({
      id: r.id as number,
      time: r.time as number,
      actor: r.actor as string,
      action: r.action as string,
      subject: r.subject as string,
      detail: JSON.parse(r.detail as string) as Record<string, unknown>,
    }));
  }

  addCapacityRequest(r: Omit<CapacityRequest, 'id' | 'fulfilledBy' | 'fulfilledAt'>): Promise<number> {
    return this.insert(
      `INSERT INTO desk_capacity_requests (account, from_bytes, to_bytes, note, requested_by, requested_at, due_at, due_date)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        r.account,
        r.fromBytes ?? null,
        r.toBytes,
        r.note ?? null,
        r.requestedBy,
        r.requestedAt,
        r.dueAt,
        r.dueDate,
      ],
    );
  }

  async capacityRequest(id: number): Promise<CapacityRequest | undefined> {
    const r = await this.sql.get<Row>('SELECT * FROM desk_capacity_requests WHERE id = ?', [id]);
    return r ? capacity(r) : undefined;
  }

  async capacityRequests(o: { account?: string; open?: boolean } = {}): Promise<CapacityRequest[]> {
    const where: string[] = [];
    if (o.account !== undefined) where.push('account = ?');
    if (o.open) where.push('fulfilled_at IS NULL');
    const q = `SELECT * FROM desk_capacity_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    return (await this.sql.all<Row>(q, o.account !== undefined ? [o.account] : [])).map(capacity);
  }

  async fulfilCapacityRequest(id: number, by: string, at: number): Promise<void> {
    await this.sql.run(
      'UPDATE desk_capacity_requests SET fulfilled_by = ?, fulfilled_at = ? WHERE id = ? AND fulfilled_at IS NULL',
      [by, at, id],
    );
  }

  async raiseQuota(account: string, bytes: number, actor: string, at: number): Promise<void> {
    // One statement: the quota is compared and raised at once, whatever other nodes do meanwhile.
    const { changes } = await this.sql.run(
      'UPDATE accounts SET quota_bytes = ?, updated_at = ? WHERE name = ? AND quota_bytes IS NOT NULL AND quota_bytes < ?',
      [bytes, at, account, bytes],
    );
    if (changes > 0) await recordAction(this.sql, at, actor, 'quota-set', account, { quotaBytes: bytes });
  }

  addAnnouncement(a: Omit<Announcement, 'id' | 'cancelledBy' | 'cancelledAt'>): Promise<number> {
    return this.insert(
      `INSERT INTO desk_announcements (start_at, end_at, reason, kind, announced_by, announced_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [a.start, a.end, a.reason, a.kind, a.announcedBy, a.announcedAt],
    );
  }

  async announcement(id: number): Promise<Announcement | undefined> {
    const r = await this.sql.get<Row>('SELECT * FROM desk_announcements WHERE id = ?', [id]);
    return r ? announcement(r) : undefined;
  }

  async announcements(o: { after?: number; includeCancelled?: boolean } = {}): Promise<Announcement[]> {
    const where = ['end_at > ?'];
    if (!o.includeCancelled) where.push('cancelled_at IS NULL');
    const rows = await this.sql.all<Row>(
      `SELECT * FROM desk_announcements WHERE ${where.join(' AND ')} ORDER BY start_at, id`,
      [o.after ?? Number.MIN_SAFE_INTEGER],
    );
    return rows.map(announcement);
  }

  async cancelAnnouncement(id: number, by: string, at: number): Promise<void> {
    await this.sql.run(
      'UPDATE desk_announcements SET cancelled_by = ?, cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL',
      [by, at, id],
    );
  }

  addIncident(i: Omit<DeskIncident, 'id' | 'events'>): Promise<number> {
    return this.insert(
      'INSERT INTO desk_incidents (account, title, impact, urgency, opened_by, opened_at) VALUES (?, ?, ?, ?, ?, ?)',
      [i.account, i.title, i.impact, i.urgency, i.openedBy, i.openedAt],
    );
  }

  addIncidentEvent(incident: number, e: Omit<DeskIncidentEvent, 'id'>): Promise<number> {
    return this.insert(
      'INSERT INTO desk_incident_events (incident, type, at, note, by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
      [incident, e.type, e.at, e.note ?? null, e.by, e.recordedAt],
    );
  }

  async incident(id: number): Promise<DeskIncident | undefined> {
    return (await this.incidentRows('WHERE id = ?', [id]))[0];
  }

  incidents(o: { account?: string } = {}): Promise<DeskIncident[]> {
    return o.account === undefined
      ? this.incidentRows('', [])
      : this.incidentRows('WHERE account = ?', [o.account]);
  }

  private async incidentRows(where: string, params: unknown[]): Promise<DeskIncident[]> {
    const rows = await this.sql.all<Row>(`SELECT * FROM desk_incidents ${where} ORDER BY id`, params);
    if (rows.length === 0) return [];
    // The events of all of them at once (one query, not one per incident).
    const events = await this.sql.all<Row>(
      `SELECT * FROM desk_incident_events WHERE incident IN (SELECT id FROM desk_incidents ${where}) ORDER BY at, id`,
      params,
    );
    const byIncident = new Map<number, DeskIncidentEvent[]>();
    for (const e of events) {
      const list = byIncident.get(e.incident as number) ?? [];
      list.push(event(e));
      byIncident.set(e.incident as number, list);
    }
    return rows.map((r) => ({
      id: r.id as number,
      account: r.account as string,
      title: r.title as string,
      impact: r.impact as DeskIncident['impact'],
      urgency: r.urgency as DeskIncident['urgency'],
      openedBy: r.opened_by as string,
      openedAt: r.opened_at as number,
      events: byIncident.get(r.id as number) ?? [],
    }));
  }

  async setContact(account: string, email: string): Promise<void> {
    await this.sql.run(
      'INSERT INTO desk_contacts (account, email) VALUES (?, ?) ON CONFLICT (account) DO UPDATE SET email = excluded.email',
      [account, email],
    );
  }

  async contact(account: string): Promise<string | undefined> {
    const r = await this.sql.get<{ email: string }>('SELECT email FROM desk_contacts WHERE account = ?', [
      account,
    ]);
    return r?.email;
  }

  contacts(): Promise<{ account: string; email: string }[]> {
    return this.sql.all('SELECT account, email FROM desk_contacts ORDER BY account');
  }

  enqueue(m: NewMessage, at: number): Promise<number> {
    return this.insert(
      'INSERT INTO desk_outbox (to_addr, subject, body, topic, created_at) VALUES (?, ?, ?, ?, ?)',
      [m.to, m.subject, m.body, m.topic, at],
    );
  }

  async pending(limit: number): Promise<OutboxMessage[]> {
    return (
      await this.sql.all<Row>('SELECT * FROM desk_outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?', [limit])
    ).map(message);
  }

  async outbox(limit = 1000): Promise<OutboxMessage[]> {
    return (await this.sql.all<Row>('SELECT * FROM desk_outbox ORDER BY id DESC LIMIT ?', [limit]))
      .reverse()
      .map(message);
  }

  async markSent(id: number, at: number): Promise<void> {
    await this.sql.run('UPDATE desk_outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?', [at, id]);
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.sql.run('UPDATE desk_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?', [
      error,
      id,
    ]);
  }
}
