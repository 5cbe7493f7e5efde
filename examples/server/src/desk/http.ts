import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { KluisError } from '@kluis/core';
import type { AccessLogEntry } from '../access-log.ts';
import type { Authenticator } from '../authenticator.ts';
import { parseSize } from '../cli-io.ts';
import type { GrantsView } from '../desk-views.ts';
import { grantActive } from '../matrix.ts';
import type { Desk } from './desk.ts';
import type { DeskEventType } from './store.ts';
import { type Page, renderPage, STYLESHEET } from './web.ts';

/** What the desk's routes need from the server. */
export interface DeskHttpDeps {
  desk: Desk;
  auth: Authenticator;
  grants: GrantsView;
  log: (entry: AccessLogEntry) => void;
  /** Usage and quota of an account, for the status page. */
  usage: (account: string) => Promise<{ used: number; quota: number | undefined }>;
  /** Cookies get `Secure` when the server speaks HTTPS. */
  secure: boolean;
  /** Every customer account, for the provider view. */
  deskAccounts: () => Promise<string[]>;
}

/** Who is asking, and what the desk lets them do. */
export interface DeskPrincipal {
  account: string;
  /** `admin`: an admin on `*` (acts for the provider); `auditor`: reads the provider view. */
  provider: 'admin' | 'auditor' | undefined;
  /** The caller may act for their own account as a customer (a grant on their own area). */
  customer: boolean;
}

const SESSION_MS = 8 * 3_600_000;
const COOKIE = 'kluis_desk';
const LOGIN_COOKIE = 'kluis_login';

interface Session {
  account: string;
  csrf: string;
  expires: number;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(`${JSON.stringify(body)}\n`, {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });

/** The strict policy of every desk page: nothing but its own stylesheet and forms to itself. */
export const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const html = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(body, {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
      'cache-control': 'no-store',
      ...headers,
    },
  });

function errorStatus(e: unknown): number {
  if (!KluisError.is(e)) return 500;
  return e.code === 'NOT_FOUND' ? 404 : e.code === 'AUTH' ? 403 : 400;
}

/** True for the paths the desk serves: `/-/status` and everything under `/-/desk/`. */
export function isDeskPath(path: string): boolean {
  return path === '/-/status' || path === '/-/desk' || path.startsWith('/-/desk/');
}

/**
 * The desk's HTTP side. JSON for programs (HTTP Basic, `application/json` bodies):
 * `GET /-/desk/maintenance?hours=24`, `GET|POST /-/desk/capacity`, `POST /-/desk/capacity/ID/fulfil`,
 * `GET|POST /-/desk/incidents`, `POST /-/desk/incidents/ID/events`, `GET|POST /-/desk/announcements`,
 * `GET /-/desk/report?account=&month=`. Pages for people (a login form, a session cookie and a
 * CSRF token in every form): `/-/status` (the customer's) and `/-/desk/` (the provider's).
 *
 * @example
 * ```ts
 * const desk = new DeskHttp(deps);
 * if (isDeskPath(path)) return desk.serve(request, address);
 * ```
 */
export class DeskHttp {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly d: DeskHttpDeps) {}

  /** Answers one request under `/-/status` or `/-/desk/`. */
  async serve(request: Request, address: string): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const entry = { time: new Date(this.d.desk.time()).toISOString(), address, method: request.method, path };
    try {
      if (path === '/-/desk/desk.css')
        return new Response(STYLESHEET, {
          headers: { 'content-type': 'text/css', 'cache-control': 'max-age=300' },
        });
      if (path === '/-/desk/login') return await this.login(request, entry, url);
      if (path === '/-/desk/logout' && request.method === 'POST') return await this.logout(request);
      const form = isForm(request);
      const who =
        form || this.cookieOf(request) ? this.fromSession(request) : await this.fromBasic(request, entry);
      if (who instanceof Response) return who;
      if (who === undefined) {
        if (path === '/-/status' || path === '/-/desk') return this.redirectToLogin(url);
        return json(
          401,
          { error: 'authentication required' },
          { 'www-authenticate': 'Basic realm="kluis", charset="UTF-8"' },
        );
      }
      const p = await this.principal(who.account);
      if (form) return await this.submit(request, p, who, path, entry);
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        if (
          !(request.headers.get('content-type') ?? '').startsWith('application/json') &&
          request.method === 'POST'
        )
          return json(415, { error: 'send application/json (or use the web page)' });
        return await this.api(request, p, path, url, entry);
      }
      if (path === '/-/status' || path === '/-/desk') return await this.page(p, path, url, who.csrf, entry);
      return await this.api(request, p, path, url, entry);
    } catch (e) {
      const status = errorStatus(e);
      if (status === 500) throw e;
      this.d.log({ ...entry, event: 'rejected', status, reason: (e as Error).message });
      return json(status, { error: (e as Error).message, code: (e as KluisError).code });
    }
  }

  private async principal(account: string): Promise<DeskPrincipal> {
    const t = this.d.desk.time();
    const grants = (await this.d.grants.active(account, t)).filter((g) => grantActive(g, t));
    const star = grants.filter((g) => g.scope === '*');
    const provider = star.some((g) => g.role === 'admin')
      ? 'admin'
      : star.some((g) => g.role === 'auditor')
        ? 'auditor'
        : undefined;
    const customer = grants.some((g) => g.scope === account || g.scope.startsWith(`${account}/`));
    return { account, provider, customer };
  }

  // ---- authentication -------------------------------------------------------------------------

  private async fromBasic(
    request: Request,
    entry: Entry,
  ): Promise<{ account: string; csrf: undefined } | Response | undefined> {
    const header = request.headers.get('authorization');
    if (header === null) return undefined;
    const r = await this.d.auth.check(header, entry.address);
    if (r.ok) return { account: r.account, csrf: undefined };
    if (r.status === 429) {
      this.d.log({ ...entry, event: 'rejected', status: 429, reason: 'locked out' });
      return json(
        429,
        { error: 'too many failed logins: locked out' },
        { 'retry-after': String(r.retryAfterSeconds) },
      );
    }
    this.d.log({
      ...entry,
      event: r.reason ? 'login-failed' : 'rejected',
      user: r.user,
      status: 401,
      reason: r.reason,
    });
    return json(
      401,
      { error: 'authentication required' },
      { 'www-authenticate': 'Basic realm="kluis", charset="UTF-8"' },
    );
  }

  private cookieOf(request: Request): string | undefined {
    const c = request.headers.get('cookie') ?? '';
    return /(?:^|;\s*)kluis_desk=([A-Za-z0-9_-]{20,})/.exec(c)?.[1];
  }

  private fromSession(request: Request): Session | undefined {
    const id = this.cookieOf(request);
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s || s.expires < Date.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  private redirectToLogin(url: URL): Response {
    const back = url.pathname === '/-/desk' || url.pathname === '/-/desk/' ? '/-/desk/' : '/-/status';
    return new Response(null, {
      status: 303,
      headers: { location: `/-/desk/login?next=${encodeURIComponent(back)}` },
    });
  }

  private async login(request: Request, entry: Entry, url: URL): Promise<Response> {
    if (request.method === 'GET') {
      const next = safeNext(url.searchParams.get('next'));
      // Before there is a session, the login form's token is a double-submit one: the same random
      // value in a SameSite=Strict cookie and in the form.
      const csrf = randomBytes(24).toString('base64url');
      return html(200, renderPage({ kind: 'login', next, csrf }), {
        'set-cookie': `${LOGIN_COOKIE}=${csrf}; Path=/-/desk/login; HttpOnly; SameSite=Strict; Max-Age=3600${this.d.secure ? '; Secure' : ''}`,
      });
    }
    if (request.method !== 'POST' || !isForm(request)) return json(405, { error: 'POST the login form' });
    const f = await request.formData();
    const cookie = /(?:^|;\s*)kluis_login=([A-Za-z0-9_-]{20,})/.exec(
      request.headers.get('cookie') ?? '',
    )?.[1];
    if (!sameOrigin(request) || !cookie || !safeEqual(String(f.get('csrf') ?? ''), cookie)) {
      this.d.log({
        ...entry,
        event: 'denied',
        status: 403,
        reason: 'login form csrf token missing or wrong',
      });
      return html(
        403,
        renderPage({
          kind: 'error',
          message: 'The login form expired or did not come from this site.',
          back: '/-/desk/login',
        }),
      );
    }
    const user = String(f.get('account') ?? '');
    const password = String(f.get('password') ?? '');
    const next = safeNext(String(f.get('next') ?? ''));
    const header = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const r = await this.d.auth.check(header, entry.address);
    if (!r.ok) {
      this.d.log({
        ...entry,
        event: r.status === 429 ? 'rejected' : 'login-failed',
        user,
        status: r.status,
        reason: 'desk login',
      });
      return html(
        r.status,
        renderPage({
          kind: 'login',
          next,
          csrf: cookie,
          error: r.status === 429 ? 'Too many failed logins: try again later.' : 'Wrong account or password.',
        }),
      );
    }
    const id = randomBytes(24).toString('base64url');
    this.sessions.set(id, {
      account: r.account,
      csrf: randomBytes(24).toString('base64url'),
      expires: Date.now() + SESSION_MS,
    });
    this.d.log({ ...entry, event: 'access', user: r.account, op: 'desk-login', status: 303 });
    const p = await this.principal(r.account);
    const target = next ?? (p.provider ? '/-/desk/' : '/-/status');
    return new Response(null, {
      status: 303,
      headers: {
        location: target,
        'set-cookie': `${COOKIE}=${id}; Path=/-/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}${this.d.secure ? '; Secure' : ''}`,
      },
    });
  }

  private async logout(request: Request): Promise<Response> {
    const id = this.cookieOf(request);
    const s = this.fromSession(request);
    const token = isForm(request) ? String((await request.formData()).get('csrf') ?? '') : '';
    if (!s || !sameOrigin(request) || !safeEqual(token, s.csrf))
      return json(403, { error: 'log out from the page' });
    if (id) this.sessions.delete(id);
    return new Response(null, {
      status: 303,
      headers: {
        location: '/-/desk/login',
        'set-cookie': `${COOKIE}=; Path=/-/; HttpOnly; SameSite=Strict; Max-Age=0`,
      },
    });
  }

  // ---- forms (web pages) ----------------------------------------------------------------------

  private async submit(
    request: Request,
    p: DeskPrincipal,
    s: { csrf?: string | undefined },
    path: string,
    entry: Entry,
  ): Promise<Response> {
    if (request.method !== 'POST') return json(405, { error: 'forms are POSTed' });
    const f = await request.formData();
    const token = String(f.get('csrf') ?? '');
    if (!s.csrf || !sameOrigin(request) || !safeEqual(token, s.csrf)) {
      this.d.log({
        ...entry,
        event: 'denied',
        user: p.account,
        status: 403,
        reason: 'csrf token missing or wrong',
      });
      return html(
        403,
        renderPage({
          kind: 'error',
          message: 'The form expired or did not come from this site. Reload the page and try again.',
        }),
      );
    }
    const field = (k: string) => {
      const v = f.get(k);
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    const back = path.startsWith('/-/desk') && p.provider ? '/-/desk/' : '/-/status';
    const body: Record<string, unknown> = {};
    for (const [k, v] of f.entries()) if (k !== 'csrf' && typeof v === 'string' && v !== '') body[k] = v;
    if (body.force !== undefined) body.force = body.force === 'on' || body.force === 'true';
    try {
      const action = field('action') ?? '';
      const route = FORM_ROUTES[action];
      if (!route) throw new KluisError('INVALID_CONFIG', `unknown action ${action}`);
      const post = new Request(request.url, { method: 'POST' });
      const r = await this.api(post, p, route(body), new URL(request.url), entry, body);
      if (r.status >= 400) {
        const { error } = (await r.json()) as { error: string };
        return html(r.status, renderPage({ kind: 'error', message: error, back }));
      }
      return new Response(null, { status: 303, headers: { location: back } });
    } catch (e) {
      const status = errorStatus(e);
      if (status === 500) throw e;
      return html(status, renderPage({ kind: 'error', message: (e as Error).message, back }));
    }
  }

  // ---- JSON API -------------------------------------------------------------------------------

  private async api(
    request: Request,
    p: DeskPrincipal,
    path: string,
    url: URL,
    entry: Entry,
    formBody?: Record<string, unknown>,
  ): Promise<Response> {
    const desk = this.d.desk;
    const post = request.method === 'POST';
    const body = post ? (formBody ?? (await readJson(request))) : {};
    const done = (r: Response, op: string) => {
      this.d.log({ ...entry, event: 'access', user: p.account, op, status: r.status });
      return r;
    };
    const deny = (op: string) => {
      this.d.log({ ...entry, event: 'denied', user: p.account, op, status: 403 });
      return json(403, { error: `${op} refused` });
    };
    const forAccount = (requested: unknown) => {
      // A customer acts for their own account; the provider's admin for any.
      const a = typeof requested === 'string' && requested !== '' ? requested : p.account;
      if (p.provider === 'admin' || (p.customer && a === p.account)) return a;
      return undefined;
    };
    const readable = (account: string) => p.provider !== undefined || (p.customer && account === p.account);
    const m = /^\/-\/desk\/(capacity|incidents|announcements)\/(\d+)\/(fulfil|events|cancel)$/.exec(path);

    if (path === '/-/desk/maintenance' && !post) {
      const hours = Math.min(Math.max(Number(url.searchParams.get('hours') ?? 24) || 24, 1), 24 * 60);
      const list = (await desk.upcomingMaintenance(hours * 3_600_000)).map((w) => ({
        start: new Date(w.start).toISOString(),
        end: new Date(w.end).toISOString(),
        reason: w.reason,
        kind: w.kind,
      }));
      return done(
        json(200, { now: new Date(desk.time()).toISOString(), zone: desk.profile.zone, windows: list }),
        'desk-maintenance',
      );
    }
    if (path === '/-/desk/capacity') {
      if (post) {
        const account = forAccount(body.account);
        if (!account) return deny('capacity-request');
        const toBytes = typeof body.size === 'string' ? parseSize(body.size) : Number(body.bytes);
        const r = await desk.requestCapacity({
          account,
          toBytes,
          note: body.note as string | undefined,
          by: p.account,
        });
        return done(json(201, r), 'capacity-request');
      }
      const account = url.searchParams.get('account') ?? (p.provider ? undefined : p.account);
      if (account !== undefined && !readable(account)) return deny('capacity-list');
      if (account === undefined && !p.provider) return deny('capacity-list');
      return done(
        json(200, await desk.capacityRequests(account === undefined ? {} : { account })),
        'capacity-list',
      );
    }
    if (m?.[1] === 'capacity' && m[3] === 'fulfil' && post) {
      if (p.provider !== 'admin') return deny('capacity-fulfil');
      return done(json(200, await desk.fulfilCapacity(Number(m[2]), p.account)), 'capacity-fulfil');
    }
    if (path === '/-/desk/announcements') {
      if (post) {
        if (p.provider !== 'admin') return deny('maintenance-announce');
        const a = await desk.announce({
          start: body.start,
          end: body.end,
          reason: body.reason,
          force: body.force === true,
          by: p.account,
        });
        return done(json(201, a), 'maintenance-announce');
      }
      return done(
        json(200, await desk.announcements({ includePast: url.searchParams.has('all') })),
        'maintenance-list',
      );
    }
    if (m?.[1] === 'announcements' && m[3] === 'cancel' && post) {
      if (p.provider !== 'admin') return deny('maintenance-cancel');
      return done(json(200, await desk.cancelAnnouncement(Number(m[2]), p.account)), 'maintenance-cancel');
    }
    if (path === '/-/desk/incidents') {
      if (post) {
        const account = forAccount(body.account);
        if (!account) return deny('incident-report');
        const source = p.provider === 'admin' && body.source === 'detected' ? 'detected' : 'reported';
        const i = await desk.openIncident({
          account,
          title: body.title,
          impact: body.impact,
          urgency: body.urgency,
          source,
          by: p.account,
          at: body.at,
        });
        return done(json(201, incidentJson(i)), `incident-${source}`);
      }
      const account = url.searchParams.get('account') ?? (p.provider ? undefined : p.account);
      if (account !== undefined && !readable(account)) return deny('incident-list');
      if (account === undefined && !p.provider) return deny('incident-list');
      return done(
        json(200, (await desk.incidents(account === undefined ? {} : { account })).map(incidentJson)),
        'incident-list',
      );
    }
    if (m?.[1] === 'incidents' && m[3] === 'events' && post) {
      const id = Number(m[2]);
      const inc = await desk.incident(id);
      const type = String(body.type ?? '') as DeskEventType;
      // The coordinator accepts for their own account; every other event is the provider's.
      const ok = p.provider === 'admin' || (type === 'accepted' && p.customer && inc.account === p.account);
      if (!ok) return deny(`incident-${type}`);
      const v = await desk.addIncidentEvent(id, { type, by: p.account, note: body.note, at: body.at });
      return done(json(200, incidentJson(v)), `incident-${type}`);
    }
    if (path === '/-/desk/report' && !post) {
      const account = url.searchParams.get('account') ?? p.account;
      if (!readable(account)) return deny('desk-report');
      const month = url.searchParams.get('month') ?? monthOf(desk.time(), desk.profile.zone);
      const report = await desk.report(account, month);
      if (url.searchParams.get('format') === 'html') {
        const { renderHtmlReport } = await import('@kluis/sla');
        return done(reportHtml(renderHtmlReport(report)), 'desk-report');
      }
      return done(json(200, report), 'desk-report');
    }
    return json(404, { error: 'not found' });
  }

  private async page(
    p: DeskPrincipal,
    path: string,
    url: URL,
    csrf: string | undefined,
    entry: Entry,
  ): Promise<Response> {
    const desk = this.d.desk;
    const now = desk.time();
    const month = monthOf(now, desk.profile.zone);
    let page: Page;
    if (path === '/-/desk') {
      if (!p.provider) {
        this.d.log({ ...entry, event: 'denied', user: p.account, op: 'desk-view', status: 403 });
        return html(
          403,
          renderPage({
            kind: 'error',
            message: 'The provider view is for the provider (an admin or auditor of the whole server).',
            back: '/-/status',
          }),
        );
      }
      // Customers: accounts with a grant on their own area (not the provider's own staff).
      const accounts: string[] = [];
      for (const a of await this.d.deskAccounts()) if ((await this.principal(a)).customer) accounts.push(a);
      const customers = [];
      for (const a of accounts)
        customers.push({
          account: a,
          usage: await this.d.usage(a),
          availability: (await desk.report(a, month)).availability,
          contact: await desk.contact(a),
        });
      page = {
        kind: 'provider',
        csrf: csrf ?? '',
        canAct: p.provider === 'admin',
        who: p.account,
        now,
        zone: desk.profile.zone,
        month,
        customers,
        incidents: await desk.incidents(),
        capacity: await desk.capacityRequests(),
        announcements: await desk.announcements(),
        upcoming: await desk.upcomingMaintenance(7 * 24 * 3_600_000),
        reportAccount: url.searchParams.get('account') ?? accounts[0],
      };
    } else {
      if (!p.customer) {
        if (p.provider) return new Response(null, { status: 303, headers: { location: '/-/desk/' } });
        return html(403, renderPage({ kind: 'error', message: 'No account area to show.' }));
      }
      const report = await desk.report(p.account, month);
      page = {
        kind: 'status',
        csrf: csrf ?? '',
        who: p.account,
        now,
        zone: desk.profile.zone,
        month,
        availability: report.availability,
        warnings: report.warnings.map((w) => w.message),
        usage: await this.d.usage(p.account),
        incidents: await desk.incidents({ account: p.account }),
        capacity: await desk.capacityRequests({ account: p.account }),
        upcoming: await desk.upcomingMaintenance(14 * 24 * 3_600_000),
        current: (await desk.upcomingMaintenance(1)).filter((w) => w.start <= now),
      };
    }
    this.d.log({
      ...entry,
      event: 'access',
      user: p.account,
      op: page.kind === 'provider' ? 'desk-view' : 'status-view',
      status: 200,
    });
    return html(200, renderPage(page));
  }
}

type Entry = { time: string; address: string; method: string; path: string };

/** Which API route each web form posts to. */
const FORM_ROUTES: Record<string, (b: Record<string, unknown>) => string> = {
  'capacity-request': () => '/-/desk/capacity',
  'capacity-fulfil': (b) => `/-/desk/capacity/${num(b.id)}/fulfil`,
  'incident-report': () => '/-/desk/incidents',
  'incident-event': (b) => `/-/desk/incidents/${num(b.id)}/events`,
  announce: () => '/-/desk/announcements',
  'announcement-cancel': (b) => `/-/desk/announcements/${num(b.id)}/cancel`,
};

function num(v: unknown): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new KluisError('INVALID_CONFIG', 'id: expected a number');
  return n;
}

function isForm(request: Request): boolean {
  const t = request.headers.get('content-type') ?? '';
  return (
    request.method === 'POST' &&
    (t.startsWith('application/x-www-form-urlencoded') || t.startsWith('multipart/form-data'))
  );
}

/** A browser's form post names its origin; it must be this server's. */
function sameOrigin(request: Request): boolean {
  const origin = request.headers.get('origin');
  if (origin === null) return true; // not a browser, or a same-origin navigation of an old one
  return (
    origin === new URL(request.url).origin ||
    origin === `http://${request.headers.get('host')}` ||
    origin === `https://${request.headers.get('host')}`
  );
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function safeNext(v: string | null): string | undefined {
  return v === '/-/status' || v === '/-/desk/' ? v : undefined;
}

async function readJson(request: Request): Promise<Record<string, unknown>> {
  const raw = await request.text();
  if (raw.length > 64 * 1024) throw new KluisError('INVALID_CONFIG', 'request body: too large');
  if (raw.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {}
  throw new KluisError('INVALID_CONFIG', 'request body: expected a JSON object');
}

function monthOf(t: number, zone: string): string {
  const p = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
  }).formatToParts(new Date(t));
  return `${p.find((x) => x.type === 'year')!.value}-${p.find((x) => x.type === 'month')!.value}`;
}

function incidentJson(i: Awaited<ReturnType<Desk['incident']>>) {
  const { evaluation, events, ...rest } = i;
  return {
    ...rest,
    events: events.map((e) => ({
      ...e,
      at: new Date(e.at).toISOString(),
      recordedAt: new Date(e.recordedAt).toISOString(),
    })),
    openedAt: new Date(i.openedAt).toISOString(),
    nextUpdateDue: i.nextUpdateDue === undefined ? null : new Date(i.nextUpdateDue).toISOString(),
    endRule: evaluation.endRule,
    downtimeMinutes: Math.round(
      (evaluation.end.epochMilliseconds - evaluation.start.epochMilliseconds) / 60_000,
    ),
    breaches: evaluation.breaches.map((b) => b.message),
  };
}

/**
 * The SLA report page: its own `<style>` blocks and `style` attributes (the legend's swatches) are
 * allowed by hash, nothing else inline, and no script at all.
 */
function reportHtml(page: string): Response {
  const blocks = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
  const attributes = [...new Set([...page.matchAll(/\sstyle="([^"]*)"/g)].map((m) => unescapeHtml(m[1]!)))];
  const hashes = [...blocks, ...attributes].map((x) => `'sha256-${sha256Base64(x)}'`);
  const unsafeHashes = attributes.length > 0 ? " 'unsafe-hashes'" : '';
  const style = hashes.length ? `${unsafeHashes.trim()} ${hashes.join(' ')}`.trim() : "'none'";
  const csp = `default-src 'none'; style-src ${style}; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;
  return html(200, page, { 'content-security-policy': csp });
}

function unescapeHtml(s: string): string {
  return s.replace(
    /&(quot|amp|lt|gt|#39);/g,
    (_, e: string) => ({ quot: '"', amp: '&', lt: '<', gt: '>', '#39': "'" })[e]!,
  );
}

function sha256Base64(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('base64');
}
