import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal, AccessLogEntry as RestAccessEntry, RestHooks } from '@kluis/transport-http';
import type { AccessLogEntry } from './access-log.ts';
import type { AccountStore } from './accounts.ts';
import type { Authenticator } from './authenticator.ts';
import type { GrantStore } from './grants.ts';
import type { UploadGate, UploadTicket } from './limits.ts';
import type { MaintenanceState } from './maintenance.ts';
import { permit, type Role } from './matrix.ts';
import type { Metrics } from './metrics.ts';
import type { QuotaLedger, Reservation } from './quota.ts';
import type { RetentionLock } from './retention-lock.ts';

/** What the server learns about one request as it passes the REST handler's hooks. */
export interface RequestState {
  /** The client's address (from the socket). */
  readonly address: string;
  /** Why authentication failed, when it did. */
  loginFailure?: string | undefined;
  /** The login name tried, when authentication failed. */
  triedUser?: string | undefined;
  /** The request was refused because of a lockout. */
  lockedOut?: boolean | undefined;
  /** The grant that allowed the request, and its role. */
  grant?: number | undefined;
  role?: Role | undefined;
  /** The retention lock refused the delete. */
  retentionLocked?: boolean | undefined;
  /** The quota reservation of an upload in progress. */
  reservation?: Reservation | undefined;
  /** The upload's place among the uploads in progress. */
  upload?: UploadTicket | undefined;
}

/**
 * The state of the request being handled, carried through the REST handler's hooks (some of which,
 * like `onAccess`, do not receive the `Request`) by Node's async context.
 *
 * @example
 * ```ts
 * requestState.run({ address: '127.0.0.1' }, () => handler(request));
 * ```
 */
export const requestState = new AsyncLocalStorage<RequestState>();

/** The current request's state; a fresh empty one outside a request (never expected). */
export function currentRequest(): RequestState {
  return requestState.getStore() ?? { address: 'unknown' };
}

/** What the REST hooks need from the rest of the server. */
export interface HookDeps {
  accounts: AccountStore;
  grants: GrantStore;
  auth: Authenticator;
  ledger: QuotaLedger;
  uploads: UploadGate;
  lock: RetentionLock;
  metrics: Metrics;
  now: () => number;
  maintenance: (now: number) => MaintenanceState;
  log: (entry: AccessLogEntry) => void;
  onError: (error: unknown, where: string) => void;
}

/**
 * The account area a repository path belongs to: its first segment.
 *
 * @example
 * ```ts
 * areaOf('alice/laptop'); // 'alice'
 * ```
 */
export function areaOf(repo: string): string {
  return repo.split('/')[0] ?? '';
}

/**
 * `access` only for requests that passed authentication; answers given before it are `refused`
 * (the server does not offer the operation, 501, or is in maintenance, 503, or failed, 5xx) or
 * `rejected` (malformed, unauthenticated, locked out).
 */
function eventOf(status: number, principal: string | undefined): AccessLogEntry['event'] {
  const s = currentRequest();
  if (s.loginFailure !== undefined) return 'login-failed';
  if (principal === undefined) return status >= 500 ? 'refused' : 'rejected';
  if (status === 403 && (s.grant === undefined || s.retentionLocked)) return 'denied';
  return 'access';
}

/** Why a request was answered before authentication, for the log line. */
function refusalReason(status: number): string | undefined {
  if (status === 501) return 'not offered by this server';
  if (status === 503) return 'maintenance';
  if (status >= 500) return 'server error';
  return undefined;
}

/**
 * The REST handler's hooks for the server: Basic authentication with lockout, the authorisation
 * matrix on every operation, the retention lock on deletes, upload limits and quota reservation
 * around uploads, usage updates on deletes, maintenance windows, and one access-log line per request.
 *
 * @example
 * ```ts
 * const handler = createRestHandler(storeOf, restHooks(deps), { maxUploadBytes });
 * ```
 */
export function restHooks(d: HookDeps): RestHooks<Principal> {
  return { ...accessHooks(d), ...quotaHooks(d) };
}

function accessHooks(d: HookDeps): RestHooks<Principal> {
  return {
    async authenticate(request) {
      const state = currentRequest();
      const r = await d.auth.check(request.headers.get('authorization'), state.address);
      if (r.ok) return { name: r.account };
      if (r.status === 429) {
        state.lockedOut = true;
        return new Response('too many failed logins: locked out, retry later\n', {
          status: 429,
          headers: {
            'content-type': 'text/plain; charset=utf-8',
            'retry-after': String(r.retryAfterSeconds),
          },
        });
      }
      state.loginFailure = r.reason;
      state.triedUser = r.user;
      return undefined;
    },
    async authorize(ctx) {
      const area = areaOf(ctx.repo);
      if (!ctx.principal || area === '' || !(await d.accounts.get(area))) return false;
      const t = d.now();
      const request = { action: ctx.operation, path: ctx.repo, type: ctx.type };
      const g = permit(await d.grants.active(ctx.principal.name, t), request, t);
      const state = currentRequest();
      state.grant = g?.id;
      state.role = g?.role;
      return g !== undefined;
    },
    async beforeDelete(ctx) {
      const state = currentRequest();
      if (state.role === 'admin') return undefined;
      const refusal = await d.lock.check(areaOf(ctx.repo), ctx.repo, ctx.key!);
      if (!refusal) return undefined;
      state.retentionLocked = true;
      d.metrics.inc('kluis_refused_total', { reason: 'retention-lock' });
      return new Response(`${refusal.message}\n`, {
        status: 403,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'kluis-error': 'retention-lock' },
      });
    },
    availability() {
      const m = d.maintenance(d.now());
      return {
        unavailable: m.unavailable,
        readOnly: m.readOnly,
        retryAfterSeconds: m.retryAfterSeconds,
        until: m.window?.end || undefined,
        reason: m.window?.name,
      };
    },
    onAccess(e) {
      d.log(accessEntry(e, d.now()));
      d.metrics.inc('kluis_requests_total', { operation: e.operation ?? 'none', status: String(e.status) });
      d.metrics.inc('kluis_received_bytes_total', {}, e.bytesIn);
      d.metrics.inc('kluis_sent_bytes_total', {}, e.bytesOut);
    },
    onError(error, where) {
      d.onError(error, `${where.method} ${where.path}`);
    },
  };
}

function quotaHooks(d: HookDeps): RestHooks<Principal> {
  return {
    async beforeWrite(ctx) {
      const area = areaOf(ctx.repo);
      const ticket = d.uploads.enter(area, ctx.size);
      if ('status' in ticket) {
        const reason = ticket.status === 429 ? 'uploads-account' : 'uploads-server';
        d.metrics.inc('kluis_refused_total', { reason });
        return new Response(`${ticket.message}\n`, {
          status: ticket.status,
          headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5', 'kluis-error': 'busy' },
        });
      }
      const r = await d.ledger.reserve(area, ctx.size);
      if (!r) {
        ticket.leave();
        const { used, reserved, quota } = await d.ledger.usage(area);
        return new Response(
          `quota exceeded: ${used} of ${quota} bytes used (${reserved} reserved by uploads in progress); this object needs ${ctx.size}\n`,
          {
            status: 507,
            headers: {
              'content-type': 'text/plain; charset=utf-8',
              'kluis-error': 'quota',
              // Bytes stored and the account's limit, so a client can say how full it is.
              'kluis-quota-used': String(used),
              'kluis-quota-limit': String(quota ?? ''),
            },
          },
        );
      }
      const state = currentRequest();
      state.reservation = r;
      state.upload = ticket;
      return undefined;
    },
    async afterWrite(ctx) {
      const state = currentRequest();
      state.upload?.leave();
      if (ctx.ok) {
        await state.reservation?.commit();
        await d.lock.stored(ctx.repo, ctx.key!);
      } else await state.reservation?.release();
    },
    async afterDelete(ctx) {
      await d.ledger.removed(areaOf(ctx.repo), ctx.size);
      await d.lock.deleted(ctx.repo, ctx.key!);
    },
  };
}

function accessEntry(e: RestAccessEntry, now: number): AccessLogEntry {
  const s = currentRequest();
  const [type, name] = e.key?.includes('/') ? e.key.split('/') : [e.key, undefined];
  return {
    time: new Date(now).toISOString(),
    event: eventOf(e.status, e.principal),
    user: e.principal ?? s.triedUser,
    address: s.address,
    method: e.method,
    path: e.path,
    op: e.operation,
    repo: e.repo,
    type,
    name,
    status: e.status,
    bytesIn: e.bytesIn,
    bytesOut: e.bytesOut,
    durationMs: Math.round(e.durationMs * 10) / 10,
    grant: s.grant,
    reason:
      s.loginFailure ??
      (s.lockedOut
        ? 'locked out'
        : s.retentionLocked
          ? 'retention lock'
          : e.principal === undefined
            ? refusalReason(e.status)
            : undefined),
  };
}
