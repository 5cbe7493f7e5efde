/**
 * The provider's desk in the reference server: capacity requests, announced maintenance,
 * incidents, e-mail notifications and the status pages. Everything the desk stores goes through
 * {@link DeskStore}; everything it serves is under `/-/desk/` and `/-/status`.
 */
import type { AccessLogEntry } from '../access-log.ts';
import type { Authenticator } from '../authenticator.ts';
import type { MaintenanceConfig } from '../config.ts';
import type { Db } from '../db.ts';
import type { GrantsView } from '../desk-views.ts';
import type { MaintenanceState } from '../maintenance.ts';
import type { Sql } from '../sql.ts';
import type { DeskConfig } from './config.ts';
import { Desk, type DeskAccounts } from './desk.ts';
import { IncidentDetector } from './detector.ts';
import { DeskHttp } from './http.ts';
import { Mailer } from './mailer.ts';
import { deskMaintenance } from './maintenance.ts';
import { openPostgresDeskStore } from './postgres-store.ts';
import { openSqliteDeskStore } from './sqlite-store.ts';
import type { DeskStore } from './store.ts';

export { type DeskConfig, parseDeskConfig } from './config.ts';
export { isDeskPath } from './http.ts';

/** The desk of a running server. */
export interface ServerDesk {
  desk: Desk;
  /** The maintenance state: configured windows plus announcements (as of the last refresh). */
  maintenance: (now: number) => MaintenanceState;
  /** Reads the announcements again (before each request: another node may have announced). */
  refreshMaintenance(now: number): Promise<void>;
  /** Answers `/-/status` and `/-/desk/…`. */
  serve(request: Request, address: string): Promise<Response>;
  /** Sends queued e-mail now. */
  flushMail(): Promise<number>;
  /** Sees every access-log entry (incidents are detected from the error rate). */
  observe(entry: AccessLogEntry): void;
  /** Waits for what {@link observe} started (an incident being opened from the error rate). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the desk's store in the server's accounts database, SQLite (`sqlite`, the handle its
 * migrations run on) or PostgreSQL, migrating its tables first.
 *
 * @example
 * ```ts
 * const server = await openStore(config.database, Date.now);
 * const store = await openDeskStore(server);
 * ```
 */
export async function openDeskStore(s: { sql: Sql; sqlite: Db | undefined }): Promise<DeskStore> {
  return s.sqlite ? openSqliteDeskStore(s.sqlite, s.sql) : openPostgresDeskStore(s.sql);
}

/**
 * Opens the desk on the server's accounts database (either engine).
 *
 * @example
 * ```ts
 * const desk = await openServerDesk({ store: await openDeskStore(server), accounts: sqlDeskAccounts(server.sql), grants: server.grants, now, log, config: config.desk, maintenance: config.maintenance, secure: !!config.tls });
 * ```
 */
export async function openServerDesk(o: {
  store: DeskStore;
  accounts: DeskAccounts;
  grants: GrantsView;
  now: () => number;
  log: (e: AccessLogEntry) => void;
  say?: (line: string) => void;
  config: DeskConfig;
  maintenance: MaintenanceConfig;
  secure: boolean;
}): Promise<ServerDesk & { attach(auth: Authenticator): void }> {
  const store = o.store;
  const mailer = o.config.mail ? new Mailer(store, o.config.mail, o.now, o.say) : undefined;
  const accounts = o.accounts;
  const desk = new Desk({
    store,
    accounts,
    now: o.now,
    log: o.log,
    providerEmail: o.config.providerEmail,
    mailQueued: () => void mailer?.flush(),
  });
  let http: DeskHttp | undefined;
  const detector = new IncidentDetector(desk, o.config.detection, (e) =>
    o.say?.(`incident detection: ${String(e)}`),
  );
  // Mail the SMTP server did not take is tried again every minute.
  const retry = mailer ? setInterval(() => void mailer.flush(), 60_000) : undefined;
  retry?.unref();
  const maintenance = deskMaintenance(o.maintenance, store);
  await maintenance.refresh(o.now());
  return {
    desk,
    maintenance: (now) => maintenance.state(now),
    refreshMaintenance: (now) => maintenance.refresh(now),
    attach(auth) {
      http = new DeskHttp({
        desk,
        auth,
        grants: o.grants,
        log: o.log,
        usage: async (a) => ({
          used: await accounts.usedOf(a),
          quota: (await accounts.quotaOf(a)) ?? undefined,
        }),
        secure: o.secure,
        deskAccounts: () => accounts.names(),
      });
    },
    serve(request, address) {
      if (!http) throw new Error('desk: attach the authenticator first');
      return http.serve(request, address);
    },
    flushMail: () => mailer?.flush() ?? Promise.resolve(0),
    observe: (e) => detector.observe(e),
    idle: () => detector.idle(),
    async close() {
      if (retry) clearInterval(retry);
      await detector.idle();
      await mailer?.idle();
      mailer?.close();
    },
  };
}
