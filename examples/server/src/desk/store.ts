/**
 * What the provider's desk keeps: capacity requests, maintenance announcements, incidents with
 * their events, customers' coordinator addresses, the e-mail outbox and the record of every desk
 * action. {@link DeskStore} is the whole of the desk's storage, so a second database can implement
 * it without touching the desk's logic; `sql-store.ts` keeps it in the accounts database, SQLite or
 * PostgreSQL (their migrations: `sqlite-store.ts`, `postgres-store.ts`).
 * Times are milliseconds since the epoch.
 */

/** A request to raise an account's capacity (article 21.2–21.3). */
export interface CapacityRequest {
  id: number;
  account: string;
  /** The quota when the request was made (`undefined`: unlimited). */
  fromBytes: number | undefined;
  /** The quota asked for. */
  toBytes: number;
  note: string | undefined;
  requestedBy: string;
  requestedAt: number;
  /** The end of the third Dutch working day after the request. */
  dueAt: number;
  /** That working day, local date `YYYY-MM-DD`. */
  dueDate: string;
  fulfilledBy: string | undefined;
  fulfilledAt: number | undefined;
}

/** Announced downtime (article 22.2). */
export interface Announcement {
  id: number;
  start: number;
  end: number;
  reason: string;
  /** `planned`: announced with at least the required notice; else `unplanned` (forced). */
  kind: 'planned' | 'unplanned';
  announcedBy: string;
  announcedAt: number;
  cancelledBy: string | undefined;
  cancelledAt: number | undefined;
}

/** The events of an incident's timeline, as `@kluis/sla` counts them. */
export type DeskEventType =
  | 'reported'
  | 'detected'
  | 'acknowledged'
  | 'update'
  | 'restored'
  | 'accepted'
  | 'signed-off';

/** One event of an incident, with who recorded it and when. */
export interface DeskIncidentEvent {
  id: number;
  type: DeskEventType;
  /** When it happened (may be earlier than `recordedAt`: a phone call written down later). */
  at: number;
  note: string | undefined;
  by: string;
  recordedAt: number;
}

/** Impact and urgency levels. */
export type DeskLevel = 'high' | 'medium' | 'low';

/** An incident of one customer (account). */
export interface DeskIncident {
  id: number;
  account: string;
  title: string;
  impact: DeskLevel;
  urgency: DeskLevel;
  openedBy: string;
  openedAt: number;
  events: DeskIncidentEvent[];
}

/** An e-mail waiting to be sent, or sent. */
export interface OutboxMessage {
  id: number;
  to: string;
  subject: string;
  body: string;
  /** What it is about, e.g. `incident-opened`. */
  topic: string;
  createdAt: number;
  sentAt: number | undefined;
  attempts: number;
  lastError: string | undefined;
}

/** One recorded desk action. */
export interface DeskAction {
  id: number;
  time: number;
  actor: string;
  action: string;
  subject: string;
  detail: Record<string, unknown>;
}

/** A new outbox message. */
export type NewMessage = Pick<OutboxMessage, 'to' | 'subject' | 'body' | 'topic'>;

/**
 * The desk's storage, asynchronous so that it can live in either of the server's databases
 * (SQLite or PostgreSQL, `sql-store.ts`). Every write takes the actor and records a
 * {@link DeskAction} in the same transaction ({@link DeskStore.tx}), so the record never misses a
 * change.
 */
export interface DeskStore {
  /**
   * Runs `fn` in one transaction on the store it is given (`s`): all its writes happen, or none.
   * Everything inside must go through `s`, not through this store.
   */
  tx<T>(fn: (s: DeskStore) => Promise<T>): Promise<T>;
  record(
    time: number,
    actor: string,
    action: string,
    subject: string,
    detail: Record<string, unknown>,
  ): Promise<void>;
  actions(o?: { subject?: string; limit?: number }): Promise<DeskAction[]>;

  addCapacityRequest(r: Omit<CapacityRequest, 'id' | 'fulfilledBy' | 'fulfilledAt'>): Promise<number>;
  capacityRequest(id: number): Promise<CapacityRequest | undefined>;
  capacityRequests(o?: { account?: string; open?: boolean }): Promise<CapacityRequest[]>;
  fulfilCapacityRequest(id: number, by: string, at: number): Promise<void>;
  /**
   * Raises an account's limited quota to `bytes` for a capacity request, recorded as an
   * administrative action (as `AccountStore.setQuota` does); a quota already as large (or
   * unlimited) is left alone. Inside {@link DeskStore.tx} it commits with the request.
   */
  raiseQuota(account: string, bytes: number, actor: string, at: number): Promise<void>;

  addAnnouncement(a: Omit<Announcement, 'id' | 'cancelledBy' | 'cancelledAt'>): Promise<number>;
  announcement(id: number): Promise<Announcement | undefined>;
  /** Announcements not cancelled that end after `after` (all when omitted), by start. */
  announcements(o?: { after?: number; includeCancelled?: boolean }): Promise<Announcement[]>;
  cancelAnnouncement(id: number, by: string, at: number): Promise<void>;

  addIncident(i: Omit<DeskIncident, 'id' | 'events'>): Promise<number>;
  addIncidentEvent(incident: number, e: Omit<DeskIncidentEvent, 'id'>): Promise<number>;
  incident(id: number): Promise<DeskIncident | undefined>;
  incidents(o?: { account?: string }): Promise<DeskIncident[]>;

  setContact(account: string, email: string): Promise<void>;
  contact(account: string): Promise<string | undefined>;
  contacts(): Promise<{ account: string; email: string }[]>;

  enqueue(m: NewMessage, at: number): Promise<number>;
  /** Messages not yet sent, oldest first. */
  pending(limit: number): Promise<OutboxMessage[]>;
  outbox(limit?: number): Promise<OutboxMessage[]>;
  markSent(id: number, at: number): Promise<void>;
  markFailed(id: number, error: string): Promise<void>;
}
