/**
 * What the provider's desk keeps: capacity requests, maintenance announcements, incidents with
 * their events, customers' coordinator addresses, the e-mail outbox and the record of every desk
 * action. {@link DeskStore} is the whole of the desk's storage, so a second database can implement
 * it without touching the desk's logic; `sqlite-store.ts` keeps it in the accounts database.
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
 * The desk's storage. Every write takes the actor and records a {@link DeskAction} in the same
 * transaction (`tx`), so the record never misses a change.
 */
export interface DeskStore {
  /** Runs `fn` in one transaction: all its writes happen, or none. */
  tx<T>(fn: () => T): T;
  record(time: number, actor: string, action: string, subject: string, detail: Record<string, unknown>): void;
  actions(o?: { subject?: string; limit?: number }): DeskAction[];

  addCapacityRequest(r: Omit<CapacityRequest, 'id' | 'fulfilledBy' | 'fulfilledAt'>): number;
  capacityRequest(id: number): CapacityRequest | undefined;
  capacityRequests(o?: { account?: string; open?: boolean }): CapacityRequest[];
  fulfilCapacityRequest(id: number, by: string, at: number): void;

  addAnnouncement(a: Omit<Announcement, 'id' | 'cancelledBy' | 'cancelledAt'>): number;
  announcement(id: number): Announcement | undefined;
  /** Announcements not cancelled that end after `after` (all when omitted), by start. */
  announcements(o?: { after?: number; includeCancelled?: boolean }): Announcement[];
  cancelAnnouncement(id: number, by: string, at: number): void;

  addIncident(i: Omit<DeskIncident, 'id' | 'events'>): number;
  addIncidentEvent(incident: number, e: Omit<DeskIncidentEvent, 'id'>): number;
  incident(id: number): DeskIncident | undefined;
  incidents(o?: { account?: string }): DeskIncident[];

  setContact(account: string, email: string): void;
  contact(account: string): string | undefined;
  contacts(): { account: string; email: string }[];

  enqueue(m: NewMessage, at: number): number;
  /** Messages not yet sent, oldest first. */
  pending(limit: number): OutboxMessage[];
  outbox(limit?: number): OutboxMessage[];
  markSent(id: number, at: number): void;
  markFailed(id: number, error: string): void;
}
