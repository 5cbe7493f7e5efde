import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRestHandler, type RestHandler } from '@kluis/transport-http';
import { AccessLog, type AccessLogEntry } from './access-log.ts';
import type { AccountStore } from './accounts.ts';
import { Alerter } from './alerts.ts';
import { type AuthEvents, Authenticator } from './authenticator.ts';
import type { ServerConfig } from './config.ts';
import { isDeskPath, openDeskStore, openServerDesk, type ServerDesk } from './desk/index.ts';
import { sqlDeskAccounts } from './desk-views.ts';
import { type EndpointDeps, serveEndpoint } from './endpoints.ts';
import type { GrantStore } from './grants.ts';
import { UploadGate } from './limits.ts';
import { LockoutTracker } from './lockout.ts';
import { maintenanceSchedule } from './maintenance.ts';
import { Metrics } from './metrics.ts';
import type { QuotaLedger } from './quota.ts';
import { requestState, restHooks } from './rest-hooks.ts';
import {
  defaultRestorePageDir,
  RESTORE_PAGE_PATH,
  type RestorePageHandler,
  restorePage,
} from './restore-page.ts';
import { RetentionLock } from './retention-lock.ts';
import { isPostgresUrl } from './sql.ts';
import { openStorage, type Storage } from './storage.ts';
import { openStore, type ServerStore } from './store.ts';

/** Options of {@link createApp}. */
export interface AppOptions {
  config: ServerConfig;
  /** The clock, in milliseconds since the epoch (tests pass their own). Default `Date.now`. */
  now?: (() => number) | undefined;
  /** The server's own log (one line per call): startup, alerts, internal errors. Default: none. */
  log?: ((line: string) => void) | undefined;
  /** Fetch used for the alert webhook. */
  fetch?: typeof fetch | undefined;
}

/** A ready server application, not yet listening on a socket. */
export interface App {
  /** Serves one request: `/-/` endpoints here, everything else by the REST handler. */
  readonly handler: RestHandler;
  readonly accounts: AccountStore;
  readonly grants: GrantStore;
  readonly ledger: QuotaLedger;
  /** Uploads in progress, per account and in total. */
  readonly uploads: UploadGate;
  readonly metrics: Metrics;
  readonly storage: Storage;
  readonly alerter: Alerter;
  /**
   * The provider's desk: capacity requests, announcements, incidents, notifications, kept in the
   * accounts database (SQLite or PostgreSQL).
   */
  readonly desk: ServerDesk;
  /** The database of accounts, grants, usage and lockouts. */
  readonly store: ServerStore;
  /** Reopens the access log (after rotation). */
  reopenLog(): void;
  /** Waits for pending alerts, then closes the database and the access log. */
  close(): Promise<void>;
}

function defineMetrics(): Metrics {
  const m = new Metrics();
  m.define('kluis_requests_total', 'counter', 'Repository requests answered, by operation and status.');
  m.define('kluis_received_bytes_total', 'counter', 'Request body bytes received.');
  m.define('kluis_sent_bytes_total', 'counter', 'Response body bytes sent.');
  m.define(
    'kluis_failed_logins_total',
    'counter',
    'Failed logins (wrong password, unknown or disabled account).',
  );
  m.define(
    'kluis_lockouts_total',
    'counter',
    'Lockouts after repeated failed logins, by kind (account, address).',
  );
  m.define(
    'kluis_refused_total',
    'counter',
    'Requests refused to protect the service, by reason (retention-lock, uploads-account, uploads-server).',
  );
  m.define('kluis_quota_used_bytes', 'gauge', 'Bytes stored per account.');
  m.define('kluis_quota_reserved_bytes', 'gauge', 'Bytes reserved by uploads in progress, per account.');
  m.define('kluis_quota_limit_bytes', 'gauge', 'Capacity quota per account (absent: unlimited).');
  m.define('kluis_maintenance_active', 'gauge', '1 during a maintenance window, else 0.');
  for (const n of ['kluis_received_bytes_total', 'kluis_sent_bytes_total', 'kluis_failed_logins_total'])
    m.inc(n, {}, 0);
  return m;
}

/**
 * Builds the whole server from its configuration: accounts database, storage, quota usage
 * (counted from the storage at start), access log, lockout and alerts, maintenance schedule, and
 * the REST handler with the server's hooks.
 *
 * @example
 * ```ts
 * const app = await createApp({ config: loadConfig('server.json'), log: (l) => process.stderr.write(`${l}\n`) });
 * const server = await listen(app, config);
 * ```
 */
export async function createApp(o: AppOptions): Promise<App> {
  const { config } = o;
  const now = o.now ?? Date.now;
  const say = o.log ?? (() => {});
  const files = isPostgresUrl(config.database) ? [config.accessLog] : [config.database, config.accessLog];
  for (const f of files) mkdirSync(dirname(f), { recursive: true, mode: 0o700 });
  maintenanceSchedule(config.maintenance); // checks the configuration before anything is created
  const storage = await openStorage(config.storage);
  const store = await openStore(config.database, now, config.node);
  const { accounts, grants, ledger } = store;
  let accessLog: AccessLog;
  try {
    await recountUsage(store, storage);
    accessLog = new AccessLog(config.accessLog);
  } catch (e) {
    await store.close();
    throw e;
  }
  let observe: ((e: AccessLogEntry) => void) | undefined;
  const log = (e: AccessLogEntry) => {
    accessLog.write(e);
    observe?.(e); // the desk detects incidents from the error rate
  };
  const metrics = defineMetrics();
  const alerter = new Alerter({ log: say, webhookUrl: config.alertWebhook, fetch: o.fetch });
  const lockout = new LockoutTracker(store.sql, config.lockout, now);
  let desk: Awaited<ReturnType<typeof openServerDesk>>;
  try {
    desk = await openServerDesk({
      store: await openDeskStore(store),
      accounts: sqlDeskAccounts(store.sql),
      grants,
      now,
      log,
      say,
      config: config.desk,
      maintenance: config.maintenance,
      secure: config.tls !== undefined,
    });
  } catch (e) {
    accessLog.close();
    await store.close();
    throw e;
  }
  const maintenance = desk.maintenance;
  observe = (e) => desk.observe(e);
  const events = securityEvents({ metrics, log, alerter, now, desk: desk.desk, say });
  const auth = await Authenticator.create({ accounts, lockout, now, scrypt: config.scrypt, events });
  desk.attach(auth);
  const onError = (e: unknown, where: string) =>
    say(`error in ${where}: ${e instanceof Error ? e.stack : String(e)}`);
  const uploads = new UploadGate(config.limits);
  const lock = new RetentionLock(store.sql, accounts, now);
  const deps = { accounts, grants, auth, ledger, uploads, lock, metrics, now, maintenance, log };
  const rest = createRestHandler((repo) => storage.repository(repo), restHooks({ ...deps, onError }), {
    maxUploadBytes: config.maxObjectBytes,
    cors: config.cors,
  });
  const handler = route(
    rest,
    { ...deps, accessLogFile: config.accessLog, metricsToken: config.metricsToken },
    desk,
    restorePage(defaultRestorePageDir()),
    say,
  );
  return {
    handler,
    accounts,
    grants,
    ledger,
    uploads,
    metrics,
    storage,
    alerter,
    desk,
    store,
    reopenLog: () => accessLog.reopen(),
    async close() {
      await alerter.idle();
      await desk.close();
      accessLog.close();
      await store.close();
    },
  };
}

/**
 * Sets each account's usage from the storage. On SQLite the server is alone, so reservations left
 * by a previous run are dropped first. On PostgreSQL other nodes may be storing objects meanwhile:
 * an account's count is kept only if no upload of it was in progress or settled while it was
 * counted (see `QuotaLedger.recount`), so a count never overwrites a newer figure. The node's own
 * reservations from before its start are dropped first (its uploads died with the old process);
 * those of a node that died and is not restarted expire by age.
 */
async function recountUsage(store: ServerStore, storage: Storage): Promise<void> {
  if (store.engine === 'sqlite') {
    await store.ledger.clearReservations();
    for (const a of await store.accounts.list())
      await store.ledger.setUsed(a.name, await storage.areaUsage(a.name));
    return;
  }
  await store.ledger.dropOwnReservations();
  for (const a of await store.accounts.list())
    await store.ledger.recount(a.name, () => storage.areaUsage(a.name));
}

/** Failed logins and lockouts go to the metrics, the access log and the alerter. */
function securityEvents(d: {
  metrics: Metrics;
  log: (e: AccessLogEntry) => void;
  alerter: Alerter;
  now: () => number;
  desk: ServerDesk['desk'];
  say: (line: string) => void;
}): AuthEvents {
  return {
    failed: () => d.metrics.inc('kluis_failed_logins_total'),
    lockout: (e) => {
      const kind = e.key.slice(0, e.key.indexOf(':'));
      d.metrics.inc('kluis_lockouts_total', { kind });
      const until = new Date(e.until).toISOString();
      const user = kind === 'account' ? e.key.slice('account:'.length) : undefined;
      const time = new Date(d.now()).toISOString();
      d.log({ time, event: 'lockout', user, address: e.address, until, reason: e.key });
      const { key, failures, level, address } = e;
      d.alerter.send({ kind: 'lockout', key, failures, level, until, address });
      d.desk
        .lockoutAlert({ key, failures, until, address })
        .catch((err: unknown) => d.say(`desk: lockout alert not queued: ${String(err)}`));
    },
  };
}

/**
 * The desk's pages, then the restore page's static files (`/-/restore/`), then the rest of `/-/`
 * (the server's endpoints); everything else goes to the REST handler with the request's state.
 * Before the endpoints and the REST handler the maintenance state is read again: another node (or
 * `kluis-server maintenance announce`) may have announced downtime. If the database does not
 * answer, the last state holds.
 */
function route(
  rest: RestHandler,
  endpoints: EndpointDeps,
  desk: ServerDesk,
  restore: RestorePageHandler,
  say: (line: string) => void,
): RestHandler {
  return async (request, info) => {
    const address = normaliseAddress(info?.clientAddress);
    const target = info?.rawTarget ?? new URL(request.url).pathname;
    const path = target.split('?')[0]!;
    if (isDeskPath(path)) return desk.serve(request, address);
    if (`${path}/`.startsWith(RESTORE_PAGE_PATH)) return restore(request, target);
    await desk
      .refreshMaintenance(endpoints.now())
      .catch((e: unknown) => say(`maintenance announcements not read: ${String(e)}`));
    if (target.startsWith('/-/')) return serveEndpoint(endpoints, request, address, target);
    return requestState.run({ address }, () => rest(request, info));
  };
}

/** `::ffff:192.0.2.7` → `192.0.2.7`, so one client has one lockout key. */
function normaliseAddress(a: string | undefined): string {
  if (!a) return 'unknown';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}
