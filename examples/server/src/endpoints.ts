import { type AccessLogEntry, readLogTail } from './access-log.ts';
import type { AccountStore } from './accounts.ts';
import type { Authenticator } from './authenticator.ts';
import type { GrantStore } from './grants.ts';
import type { MaintenanceState } from './maintenance.ts';
import { MATRIX, permit, type ServerAction, scopeCovers } from './matrix.ts';
import type { Metrics } from './metrics.ts';
import type { QuotaLedger } from './quota.ts';

/** What the `/-/` endpoints need. */
export interface EndpointDeps {
  accounts: AccountStore;
  grants: GrantStore;
  auth: Authenticator;
  ledger: QuotaLedger;
  metrics: Metrics;
  now: () => number;
  maintenance: (now: number) => MaintenanceState;
  accessLogFile: string;
  metricsToken: string | undefined;
  log: (entry: AccessLogEntry) => void;
}

const text = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(`${body}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });

/**
 * The server's own endpoints under `/-/` (no account name starts with `-`, so they cannot clash
 * with repositories):
 * - `GET /-/health`: no authentication; `{"status":"ok"|"maintenance", …}`.
 * - `GET /-/metrics`: Prometheus text; `Authorization: Bearer <metricsToken>` or Basic credentials
 *   of an account whose grants allow `metrics` on `*` (an admin of the whole server).
 * - `GET /-/log?limit=&user=&event=&since=`: the access log as JSON lines, for accounts with
 *   `read-log` (auditor, admin), filtered to the areas their grants cover.
 * - `GET /-/account?repo=alice/laptop`: the settings of the account whose area holds the
 *   repository (without `repo`: the caller's own account), for any grant covering that path:
 *   `{"account","retentionDays","protectDays","usedBytes","quotaBytes"}` (`quotaBytes` `null`:
 *   unlimited). A client applies the account's retention with it.
 *
 * @example
 * ```ts
 * const res = await serveEndpoint(deps, request, '192.0.2.7', '/-/health');
 * ```
 */
export async function serveEndpoint(
  d: EndpointDeps,
  request: Request,
  address: string,
  rawTarget: string,
): Promise<Response> {
  const what = rawTarget.split('?')[0]!.slice('/-/'.length);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return text(405, 'method not allowed', { allow: 'GET' });
  }
  if (what === 'health') return health(d);
  if (what !== 'metrics' && what !== 'log' && what !== 'account') return text(404, 'not found');
  const url = new URL(request.url);
  const entry = {
    time: new Date(d.now()).toISOString(),
    address,
    method: request.method,
    path: url.pathname,
  };
  const action: ServerAction = what === 'metrics' ? 'metrics' : what === 'log' ? 'read-log' : 'read-account';
  const header = request.headers.get('authorization');
  if (action === 'metrics' && d.metricsToken && header?.startsWith('Bearer ')) {
    const r = await d.auth.checkToken(header.slice(7), d.metricsToken, 'metrics', address);
    if (r.ok) return await metrics(d);
    if (r.status === 429) {
      d.log({ ...entry, event: 'rejected', status: 429, reason: 'locked out' });
      return text(429, 'too many failed logins: locked out', { 'retry-after': String(r.retryAfterSeconds) });
    }
    d.log({ ...entry, event: 'login-failed', status: 401, reason: 'wrong metrics token' });
    return text(401, 'authentication required');
  }
  const who = await login(d, header, entry);
  if (who instanceof Response) return who;
  if (action === 'read-account') return account(d, url, who, entry);
  const t = d.now();
  const scopes = (await d.grants.active(who, t))
    .filter((g) => MATRIX[g.role][action] === 'yes')
    .map((g) => g.scope);
  const allowed = action === 'metrics' ? scopes.includes('*') : scopes.length > 0;
  const response = !allowed
    ? text(403, `${action} refused`)
    : action === 'metrics'
      ? await metrics(d)
      : logTail(d, url, scopes);
  d.log({ ...entry, event: allowed ? 'access' : 'denied', user: who, op: action, status: response.status });
  return response;
}

/** The account behind Basic credentials, or the 401 / 429 to answer (logged). */
async function login(
  d: EndpointDeps,
  header: string | null,
  entry: Pick<AccessLogEntry, 'time' | 'address' | 'method' | 'path'>,
): Promise<string | Response> {
  const r = await d.auth.check(header, entry.address ?? 'unknown');
  if (r.ok) return r.account;
  if (r.status === 429) {
    d.log({ ...entry, event: 'rejected', status: 429, reason: 'locked out' });
    return text(429, 'too many failed logins: locked out', { 'retry-after': String(r.retryAfterSeconds) });
  }
  d.log({
    ...entry,
    event: r.reason ? 'login-failed' : 'rejected',
    user: r.user,
    status: 401,
    reason: r.reason,
  });
  return text(401, 'authentication required', { 'www-authenticate': 'Basic realm="kluis", charset="UTF-8"' });
}

async function health(d: EndpointDeps): Promise<Response> {
  const time = new Date(d.now()).toISOString();
  try {
    await d.accounts.get('-'); // the database answers
  } catch {
    return json(503, { status: 'error', reason: 'accounts database unavailable', time });
  }
  const m = d.maintenance(d.now());
  return json(200, { status: m.window ? 'maintenance' : 'ok', maintenance: m.window ?? null, time });
}

function json(status: number, body: unknown): Response {
  return new Response(`${JSON.stringify(body)}\n`, {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

async function metrics(d: EndpointDeps): Promise<Response> {
  d.metrics.set('kluis_maintenance_active', {}, d.maintenance(d.now()).window ? 1 : 0);
  for (const a of await d.accounts.list()) {
    const u = await d.ledger.usage(a.name);
    d.metrics.set('kluis_quota_used_bytes', { account: a.name }, u.used);
    d.metrics.set('kluis_quota_reserved_bytes', { account: a.name }, u.reserved);
    if (u.quota !== undefined) d.metrics.set('kluis_quota_limit_bytes', { account: a.name }, u.quota);
  }
  return new Response(d.metrics.render(), {
    status: 200,
    headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
  });
}

/** A repository path (`alice/laptop`) or area (`alice`): segments of `[A-Za-z0-9._-]`, no `.` or `..`. */
const REPO_PATH =
  /^(?!\.\.?(?:\/|$))[A-Za-z0-9._-]{1,255}(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._-]{1,255}){0,15}$/;

/** `GET /-/account`: the account settings for a repository path the caller's grants cover. */
async function account(
  d: EndpointDeps,
  url: URL,
  who: string,
  entry: Pick<AccessLogEntry, 'time' | 'address' | 'method' | 'path'>,
): Promise<Response> {
  const path = (url.searchParams.get('repo') ?? who).replace(/^\/+|\/+$/g, '');
  const done = (response: Response, event: 'access' | 'denied' | 'rejected') => {
    d.log({ ...entry, event, user: who, op: 'read-account', repo: path, status: response.status });
    return response;
  };
  if (!REPO_PATH.test(path))
    return done(text(400, 'repo: expected a repository path such as alice/laptop'), 'rejected');
  const t = d.now();
  // Refused alike whether or not the account exists, so the answer does not reveal account names.
  if (!permit(await d.grants.active(who, t), { action: 'read-account', path }, t))
    return done(text(403, 'read-account refused'), 'denied');
  const area = path.split('/')[0]!;
  const a = await d.accounts.get(area);
  if (!a) return done(text(404, `no account ${area}`), 'access');
  const u = await d.ledger.usage(area);
  return done(
    json(200, {
      account: area,
      retentionDays: a.retentionDays,
      protectDays: a.protectDays,
      usedBytes: u.used,
      quotaBytes: u.quota ?? null,
    }),
    'access',
  );
}

function logTail(d: EndpointDeps, url: URL, scopes: string[]): Response {
  const q = url.searchParams;
  const limit = Math.min(Math.max(Number(q.get('limit') ?? 100) || 100, 1), 10_000);
  const since = q.has('since') ? Date.parse(q.get('since')!) : Number.NEGATIVE_INFINITY;
  if (Number.isNaN(since)) return text(400, 'since: expected an ISO 8601 time');
  const user = q.get('user');
  const event = q.get('event');
  // A repository entry is visible when a scope covers its repository; a login entry (no
  // repository) when the name tried is the account whose area a scope lies in.
  const visible = (e: AccessLogEntry) =>
    scopes.some((s) => s === '*' || (e.repo ? scopeCovers(s, e.repo) : e.user === s.split('/')[0]));
  const entries = readLogTail(d.accessLogFile, {
    limit,
    keep: (e) =>
      visible(e) &&
      (!user || e.user === user) &&
      (!event || e.event === event) &&
      Date.parse(e.time) >= since,
  });
  return new Response(entries.map((e) => `${JSON.stringify(e)}\n`).join(''), {
    status: 200,
    headers: { 'content-type': 'application/x-ndjson' },
  });
}
