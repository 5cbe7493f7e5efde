import { KluisError } from '@kluis/core';
import {
  createSla,
  defaultProfile,
  type Incident,
  type Sla,
  type SlaProfile,
  type SlaReport,
} from '@kluis/sla';
import type { AccessLogEntry } from '../access-log.ts';
import { type Mail, messages } from './messages.ts';
import type {
  Announcement,
  CapacityRequest,
  DeskEventType,
  DeskIncident,
  DeskLevel,
  DeskStore,
} from './store.ts';
import type { CapacityView, IncidentView } from './views.ts';

/**
 * What the desk reads of the accounts: a narrow port, so any account store can serve it. (A quota
 * raised for a capacity request is written by {@link DeskStore.raiseQuota}, in the desk's
 * transaction.)
 */
export interface DeskAccounts {
  /** The account's quota: a number of bytes, `undefined` for unlimited, `null` when no such account. */
  quotaOf(account: string): Promise<number | undefined | null>;
  usedOf(account: string): Promise<number>;
  names(): Promise<string[]>;
}

/** Options of {@link Desk}. */
export interface DeskOptions {
  store: DeskStore;
  accounts: DeskAccounts;
  now: () => number;
  /** Appends to the server's access log (every desk action is logged there too). */
  log?: ((entry: AccessLogEntry) => void) | undefined;
  /** The provider's own address: capacity requests and lockout alerts go there. */
  providerEmail?: string | undefined;
  /** Called after a change that queued e-mail (the mailer sends it). */
  mailQueued?: (() => void) | undefined;
  /** The agreement (default: the service definition's). */
  profile?: SlaProfile | undefined;
}

const LEVELS: readonly DeskLevel[] = ['high', 'medium', 'low'];
const HOUR = 3_600_000;

function bad(message: string): never {
  throw new KluisError('INVALID_CONFIG', message);
}

function text(v: unknown, what: string, max = 500): string {
  if (typeof v !== 'string' || v.trim() === '') bad(`${what}: required`);
  if (v.length > max) bad(`${what}: at most ${max} characters`);
  if ([...v].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127))
    bad(`${what}: no control characters`);
  return v.trim();
}

function level(v: unknown, what: string): DeskLevel {
  if (typeof v === 'string' && (LEVELS as readonly string[]).includes(v)) return v as DeskLevel;
  return bad(`${what}: expected high, medium or low`);
}

/** A time: epoch ms, or an ISO 8601 date-time with a zone (`Z` or an offset). */
export function parseTime(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (
    typeof v === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(v)
  ) {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return t;
  }
  return bad(`${what}: expected an ISO 8601 time with Z or an offset, e.g. 2026-03-28T09:00:00+01:00`);
}

/**
 * The provider's desk: capacity requests (due in 3 Dutch working days), announced maintenance
 * (12 h notice or recorded unplanned), incidents (priority = impact × urgency, progress updates at
 * the priority's cadence, closed by acceptance or by a sign-off at night) and the e-mails they
 * cause. Every change is recorded with who and when, in the desk's record and in the access log.
 *
 * @example
 * ```ts
 * const desk = new Desk({ store: openSqliteDeskStore(db, sqliteSql(db)), accounts, now: Date.now });
 * await desk.requestCapacity({ account: 'alice', toBytes: 20 * 2 ** 30, by: 'alice' });
 * ```
 */
export class Desk {
  readonly sla: Sla;
  readonly profile: SlaProfile;
  private readonly store: DeskStore;
  private readonly now: () => number;

  constructor(private readonly o: DeskOptions) {
    this.store = o.store;
    this.now = o.now;
    this.profile = o.profile ?? defaultProfile;
    this.sla = createSla(this.profile);
  }

  /** The time now (the desk's clock). */
  time(): number {
    return this.now();
  }

  private async act(
    s: DeskStore,
    actor: string,
    action: string,
    subject: string,
    detail: Record<string, unknown>,
    area?: string,
  ) {
    const t = this.now();
    await s.record(t, actor, action, subject, detail);
    this.o.log?.({
      time: new Date(t).toISOString(),
      event: 'desk',
      user: actor,
      op: action,
      name: subject,
      ...(area !== undefined ? { repo: area } : {}),
    });
  }

  /** Queues the messages in `s`'s transaction; the mailer is woken once it has committed. */
  private async mail(s: DeskStore, list: Mail[]): Promise<void> {
    const t = this.now();
    for (const m of list) await s.enqueue(m, t);
    if (list.length > 0) this.queued = true;
  }

  /** Mail was queued since the mailer was last woken. */
  private queued = false;

  /** Runs `fn` in one transaction; the mailer is woken once mail it queued has committed. */
  private async tx<T>(fn: (s: DeskStore) => Promise<T>): Promise<T> {
    const result = await this.store.tx(fn);
    if (this.queued) {
      this.queued = false;
      this.o.mailQueued?.();
    }
    return result;
  }

  private async account(name: unknown): Promise<string> {
    const a = text(name, 'account', 63);
    if ((await this.o.accounts.quotaOf(a)) === null) throw new KluisError('NOT_FOUND', `no account ${a}`);
    return a;
  }

  // ---- capacity -------------------------------------------------------------------------------

  /**
   * Records a request to raise `account`'s quota to `toBytes`, due 3 working days after `at` (when
   * the signed order confirmation came in, article 21.2; default now).
   */
  async requestCapacity(r: {
    account: string;
    toBytes: number;
    note?: string | undefined;
    by: string;
    at?: unknown;
  }): Promise<CapacityRequest> {
    const account = await this.account(r.account);
    if (!Number.isSafeInteger(r.toBytes) || r.toBytes <= 0) bad('size: expected a positive number of bytes');
    const from = (await this.o.accounts.quotaOf(account)) ?? undefined;
    if (from === undefined) bad(`${account} has no quota limit: nothing to expand`);
    if (r.toBytes <= from) bad(`size: ${account} already has ${from} bytes; ask for more`);
    const note = r.note === undefined || r.note === '' ? undefined : text(r.note, 'note');
    const now = this.now();
    const at = r.at === undefined ? now : parseTime(r.at, 'at');
    if (at > now) bad('at: in the future');
    const due = this.sla.workingDays.add(at, this.profile.capacityExpansionWorkingDays);
    const request = {
      account,
      fromBytes: from,
      toBytes: r.toBytes,
      note,
      requestedBy: r.by,
      requestedAt: at,
      dueAt: due.deadline.epochMilliseconds,
      dueDate: due.date,
    };
    const id = await this.tx(async (s) => {
      const id = await s.addCapacityRequest(request);
      await this.act(
        s,
        r.by,
        'capacity-request',
        `capacity#${id}`,
        { account, fromBytes: from, toBytes: r.toBytes, dueDate: due.date },
        account,
      );
      const saved = { ...request, id, fulfilledAt: undefined, fulfilledBy: undefined };
      await this.mail(s, messages.capacityRequested(saved, await this.recipients(s, account, true)));
      return id;
    });
    return (await this.store.capacityRequest(id))!;
  }

  /** Raises the quota as requested and closes the request, on time or late. */
  async fulfilCapacity(id: number, by: string): Promise<CapacityView> {
    const r = await this.store.capacityRequest(id);
    if (!r) throw new KluisError('NOT_FOUND', `no capacity request ${id}`);
    if (r.fulfilledAt !== undefined) bad(`capacity request ${id} was already fulfilled`);
    const at = this.now();
    await this.tx(async (s) => {
      await s.raiseQuota(r.account, r.toBytes, by, at);
      await s.fulfilCapacityRequest(id, by, at);
      const onTime = at <= r.dueAt;
      await this.act(
        s,
        by,
        'capacity-fulfil',
        `capacity#${id}`,
        { account: r.account, toBytes: r.toBytes, onTime },
        r.account,
      );
      await this.mail(
        s,
        messages.capacityFulfilled(
          { ...r, fulfilledAt: at, fulfilledBy: by },
          onTime,
          await this.recipients(s, r.account, true),
        ),
      );
    });
    return this.capacityView((await this.store.capacityRequest(id))!);
  }

  /** Capacity requests with their state. */
  async capacityRequests(o: { account?: string; open?: boolean } = {}): Promise<CapacityView[]> {
    return (await this.store.capacityRequests(o)).map((r) => this.capacityView(r));
  }

  private capacityView(r: CapacityRequest): CapacityView {
    const now = this.now();
    const state: CapacityView['state'] =
      r.fulfilledAt !== undefined
        ? r.fulfilledAt <= r.dueAt
          ? 'on-time'
          : 'late'
        : now > r.dueAt
          ? 'overdue'
          : r.dueAt - now <= 24 * HOUR
            ? 'due-soon'
            : 'open';
    return { ...r, state };
  }

  // ---- maintenance ----------------------------------------------------------------------------

  /**
   * Announces downtime. Less than the required notice (12 h) is refused, unless `force`: then it
   * is recorded as unplanned. Every customer with a coordinator address is told.
   */
  async announce(a: {
    start: unknown;
    end: unknown;
    reason: unknown;
    by: string;
    force?: boolean;
  }): Promise<Announcement> {
    const start = parseTime(a.start, 'start');
    const end = parseTime(a.end, 'end');
    if (end <= start) bad('end: must be after start');
    const reason = text(a.reason, 'reason');
    const at = this.now();
    if (end <= at) bad('end: already past');
    const c = this.sla.classifyDowntime({ announcedAt: at, start, end });
    if (!c.planned && !a.force) {
      const hours = ((start - at) / HOUR).toFixed(1);
      throw new KluisError(
        'INVALID_CONFIG',
        `refused as planned maintenance: ${hours} h notice, ${this.profile.noticeHours} h are required (force it to record unplanned downtime)`,
      );
    }
    const kind = c.planned ? 'planned' : 'unplanned';
    const id = await this.tx(async (s) => {
      const id = await s.addAnnouncement({ start, end, reason, kind, announcedBy: a.by, announcedAt: at });
      await this.act(s, a.by, 'maintenance-announce', `announcement#${id}`, {
        start: new Date(start).toISOString(),
        end: new Date(end).toISOString(),
        kind,
        noticeMs: c.noticeMs,
        insideMaintenanceWindow: c.insideMaintenanceWindow,
      });
      const ann = (await s.announcement(id))!;
      await this.mail(
        s,
        messages.announced(
          ann,
          this.profile.zone,
          (await s.contacts()).map((x) => x.email),
        ),
      );
      return id;
    });
    return (await this.store.announcement(id))!;
  }

  /** Cancels an announcement (kept in the record). */
  async cancelAnnouncement(id: number, by: string): Promise<Announcement> {
    const a = await this.store.announcement(id);
    if (!a) throw new KluisError('NOT_FOUND', `no announcement ${id}`);
    if (a.cancelledAt !== undefined) bad(`announcement ${id} was already cancelled`);
    await this.tx(async (s) => {
      await s.cancelAnnouncement(id, by, this.now());
      await this.act(s, by, 'maintenance-cancel', `announcement#${id}`, {});
    });
    return (await this.store.announcement(id))!;
  }

  /** Announcements not cancelled that have not ended. */
  announcements(o: { includePast?: boolean } = {}): Promise<Announcement[]> {
    return this.store.announcements(o.includePast ? {} : { after: this.now() });
  }

  /**
   * Maintenance starting or running within `withinMs` from now: announcements and occurrences of
   * the standing window, by start.
   */
  async upcomingMaintenance(
    withinMs: number,
  ): Promise<{ start: number; end: number; reason: string; kind: string }[]> {
    const now = this.now();
    const until = now + withinMs;
    const out: { start: number; end: number; reason: string; kind: string }[] = (await this.announcements())
      .filter((a) => a.start < until)
      .map((a) => ({ start: a.start, end: a.end, reason: a.reason, kind: a.kind }));
    for (const o of this.sla.maintenance.between(now, until))
      out.push({
        start: o.start.epochMilliseconds,
        end: o.end.epochMilliseconds,
        reason: o.name,
        kind: 'maintenance window',
      });
    return out.sort((x, y) => x.start - y.start);
  }

  // ---- incidents ------------------------------------------------------------------------------

  /** Opens an incident for `account`: `reported` by the customer, or `detected` by the provider. */
  async openIncident(i: {
    account: string;
    title: unknown;
    impact: unknown;
    urgency: unknown;
    source: 'reported' | 'detected';
    by: string;
    at?: unknown;
  }): Promise<IncidentView> {
    const account = await this.account(i.account);
    const title = text(i.title, 'title', 200);
    const impact = level(i.impact, 'impact');
    const urgency = level(i.urgency, 'urgency');
    const now = this.now();
    const at = i.at === undefined ? now : parseTime(i.at, 'at');
    if (at > now) bad('at: in the future');
    const id = await this.tx(async (s) => {
      const id = await s.addIncident({ account, title, impact, urgency, openedBy: i.by, openedAt: now });
      await s.addIncidentEvent(id, { type: i.source, at, note: undefined, by: i.by, recordedAt: now });
      await this.act(
        s,
        i.by,
        `incident-${i.source}`,
        `incident#${id}`,
        { account, title, impact, urgency },
        account,
      );
      await this.mail(
        s,
        messages.incident(
          'opened',
          this.view((await s.incident(id))!),
          await this.recipients(s, account, true),
          this.profile.zone,
        ),
      );
      return id;
    });
    return this.incident(id);
  }

  /**
   * Adds an event: `acknowledged` / `update` / `restored` / `signed-off` (the provider),
   * `accepted` (the coordinator, or the provider recording their confirmation).
   */
  async addIncidentEvent(
    id: number,
    e: { type: DeskEventType; by: string; note?: unknown; at?: unknown },
  ): Promise<IncidentView> {
    const inc = await this.store.incident(id);
    if (!inc) throw new KluisError('NOT_FOUND', `no incident ${id}`);
    const allowed: DeskEventType[] = ['acknowledged', 'update', 'restored', 'accepted', 'signed-off'];
    if (!allowed.includes(e.type)) bad(`event: expected one of ${allowed.join(', ')}`);
    if (this.view(inc).state === 'closed') bad(`incident ${id} is closed`);
    const now = this.now();
    const at = e.at === undefined ? now : parseTime(e.at, 'at');
    if (at > now) bad('at: in the future');
    const start = inc.events[0]!.at;
    if (at < start) bad('at: before the incident started');
    const note = e.note === undefined || e.note === '' ? undefined : text(e.note, 'note', 2000);
    await this.tx(async (s) => {
      await s.addIncidentEvent(id, { type: e.type, at, note, by: e.by, recordedAt: now });
      await this.act(
        s,
        e.by,
        `incident-${e.type}`,
        `incident#${id}`,
        { at: new Date(at).toISOString(), note },
        inc.account,
      );
      const view = this.view((await s.incident(id))!);
      const what =
        e.type === 'signed-off' || e.type === 'restored'
          ? 'resolved'
          : e.type === 'accepted'
            ? 'closed'
            : 'updated';
      await this.mail(
        s,
        messages.incident(what, view, await this.recipients(s, inc.account, false), this.profile.zone),
      );
    });
    return this.incident(id);
  }

  /** One incident with its standing now. */
  async incident(id: number): Promise<IncidentView> {
    const inc = await this.store.incident(id);
    if (!inc) throw new KluisError('NOT_FOUND', `no incident ${id}`);
    return this.view(inc);
  }

  /** Incidents (of one account), with their standing now. */
  async incidents(o: { account?: string } = {}): Promise<IncidentView[]> {
    return (await this.store.incidents(o)).map((i) => this.view(i));
  }

  private view(inc: DeskIncident): IncidentView {
    const now = this.now();
    const evaluation = this.sla.evaluateIncident(toSlaIncident(inc), Math.max(now, inc.events.at(-1)!.at));
    const target = this.profile.targets[evaluation.priority];
    const restored = inc.events.some((e) => e.type === 'restored' || e.type === 'signed-off');
    const state = evaluation.endRule !== 'open' ? 'closed' : restored ? 'restored' : 'open';
    const provider = inc.events.filter((e) => ['acknowledged', 'update', 'detected'].includes(e.type));
    const last = provider.at(-1)?.at ?? inc.events[0]!.at;
    const nextUpdateDue = state === 'open' ? last + target.updateMinutes * 60_000 : undefined;
    const updateOverdue =
      state === 'open' && evaluation.breaches.some((b) => b.kind === 'update' && b.at === undefined);
    return {
      ...inc,
      priority: evaluation.priority,
      state,
      updateMinutes: target.updateMinutes,
      nextUpdateDue,
      updateOverdue:
        updateOverdue || (nextUpdateDue !== undefined && now > nextUpdateDue && target.clock === '24/7'),
      evaluation,
    };
  }

  /** The month's SLA report (`YYYY-MM`) of one customer: their incidents and every announcement. */
  async report(account: string, month: string): Promise<SlaReport> {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) bad('month: expected YYYY-MM');
    await this.account(account);
    const incidents = (await this.store.incidents({ account })).map(toSlaIncident);
    const downtime = (await this.store.announcements({})).map((a) => ({
      id: `announcement#${a.id}`,
      note: a.reason,
      announcedAt: a.announcedAt,
      start: a.start,
      end: a.end,
    }));
    const report = this.sla.report({ month }, { incidents, downtime, asOf: this.now() });
    return { ...report, title: `${report.title}: ${account}` };
  }

  // ---- contacts and alerts --------------------------------------------------------------------

  /** Sets the e-mail address of an account's coordinator (where its notifications go). */
  async setContact(account: string, email: string, by: string): Promise<void> {
    const a = await this.account(account);
    if (!/^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/.test(email))
      bad(`e-mail: ${JSON.stringify(email)} is not an address`);
    await this.tx(async (s) => {
      await s.setContact(a, email);
      await this.act(s, by, 'contact-set', a, { email }, a);
    });
  }

  /** The coordinator's address of an account. */
  contact(account: string): Promise<string | undefined> {
    return this.store.contact(account);
  }

  /** A lockout: the provider is told by e-mail. */
  async lockoutAlert(e: {
    key: string;
    failures: number;
    until: string;
    address: string | undefined;
  }): Promise<void> {
    if (!this.o.providerEmail) return;
    await this.tx((s) => this.mail(s, messages.lockout(e, this.o.providerEmail!)));
  }

  /** The customer's coordinator, and the provider when `provider`. */
  private async recipients(s: DeskStore, account: string, provider: boolean): Promise<string[]> {
    const out: string[] = [];
    const c = await s.contact(account);
    if (c) out.push(c);
    if (provider && this.o.providerEmail) out.push(this.o.providerEmail);
    return out;
  }

  /** The store, for the mailer and the record. */
  get storage(): DeskStore {
    return this.store;
  }
}

/** An incident as `@kluis/sla` counts it. */
export function toSlaIncident(inc: DeskIncident): Incident {
  return {
    id: `INC-${inc.id}`,
    title: inc.title,
    impact: inc.impact,
    urgency: inc.urgency,
    events: inc.events.map((e) => ({
      type: e.type,
      at: e.at,
      ...(e.note !== undefined ? { note: e.note } : {}),
    })),
  };
}
