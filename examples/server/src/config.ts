import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { KluisError } from '@kluis/core';
import { type DeskConfig, parseDeskConfig } from './desk/config.ts';
import { DEFAULT_LIMITS, type ServerLimits } from './limits.ts';
import { DEFAULT_LOCKOUT, type LockoutPolicy } from './lockout.ts';
import { DEFAULT_SCRYPT, type ScryptParams } from './password.ts';
import { isPostgresUrl } from './sql.ts';

/** Where objects are kept. */
export type StorageConfig =
  | { kind: 'local'; root: string }
  /** `url` is restic-style: `s3:<endpoint>/<bucket>[/<prefix>]`, e.g. `s3:s3.amazonaws.com/backups`. */
  | { kind: 's3'; url: string };

/** How the server behaves during maintenance windows. */
export interface MaintenanceConfig {
  /** `unavailable`: 503 for everything; `read-only`: 503 for changes only; `off`: ignore windows. */
  mode: 'unavailable' | 'read-only' | 'off';
  /** IANA zone of the windows. Default: the SLA default profile's (`Europe/Amsterdam`). */
  zone?: string | undefined;
  /** Windows in `@kluis/sla` form. Default: the profile's (Saturdays 09:00–17:00). */
  windows?: unknown[] | undefined;
  /** Announced downtime outside the windows: ISO times, with an optional note shown to clients. */
  downtime?: { start: string; end: string; note?: string }[] | undefined;
}

/** The complete, resolved server configuration. */
export interface ServerConfig {
  host: string;
  port: number;
  /**
   * This server node's name, unique among the nodes sharing a database and the same across its
   * restarts (default `<hostname>:<port>`): a restarted node drops the quota reservations of
   * uploads that died with its previous process.
   */
  node: string;
  /**
   * The accounts database: the path of an SQLite file, or a `postgres://user@host:port/db` URL
   * (several server nodes share one PostgreSQL; the password may come from `PGPASSWORD`).
   */
  database: string;
  accessLog: string;
  storage: StorageConfig;
  tls: { cert: string; key: string } | undefined;
  insecureHttp: boolean;
  maintenance: MaintenanceConfig;
  lockout: LockoutPolicy;
  alertWebhook: string | undefined;
  metricsToken: string | undefined;
  scrypt: ScryptParams;
  /** Largest accepted object in bytes. */
  maxObjectBytes: number;
  /** Connections, timeouts and uploads in progress. */
  limits: ServerLimits;
  /** Browser pages on other origins allowed to call the server (CORS); `undefined`: none. */
  cors: CorsConfig | undefined;
  /** The provider's desk: its e-mail settings. */
  desk: DeskConfig;
}

/** Cross-origin access for browser pages (see `CorsOptions` of `@kluis/transport-http`). */
export interface CorsConfig {
  /** `https://app.example.org` (scheme, host and port), or `*` for every origin. */
  origins: string[];
  /** How long browsers may cache a preflight answer. Default 600. */
  maxAgeSeconds?: number | undefined;
}

const ORIGIN = /^https?:\/\/[^/?#\s]+$/i;

/**
 * Checks one allowed origin: `scheme://host[:port]` without a path, or `*`.
 *
 * @example
 * ```ts
 * checkOrigin('https://app.example.org'); // 'https://app.example.org'
 * ```
 */
export function checkOrigin(origin: string, where = 'cors.origins'): string {
  if (origin === '*' || ORIGIN.test(origin)) return origin;
  const message = `${JSON.stringify(origin)} is not an origin: use scheme://host[:port] (no path), or *`;
  if (where.startsWith('--')) throw new KluisError('INVALID_CONFIG', `${where}: ${message}`);
  bad(where, message);
}

function cors(v: unknown): CorsConfig | undefined {
  if (v === undefined) return undefined;
  const c = obj(v, 'cors');
  for (const k of Object.keys(c))
    if (k !== 'origins' && k !== 'maxAgeSeconds') bad(`cors.${k}`, 'unknown (known: origins, maxAgeSeconds)');
  if (!Array.isArray(c.origins) || c.origins.length === 0)
    bad('cors.origins', 'expected a list of origins, e.g. ["https://app.example.org"]');
  const origins = c.origins.map((o, i) =>
    checkOrigin(str(o, `cors.origins[${i}]`) ?? '', `cors.origins[${i}]`),
  );
  return { origins, maxAgeSeconds: int(c.maxAgeSeconds, 'cors.maxAgeSeconds', 0, 86_400) };
}

type Json = Record<string, unknown>;

function bad(path: string, message: string): never {
  throw new KluisError('INVALID_CONFIG', `server configuration: ${path}: ${message}`);
}

function obj(v: unknown, path: string): Json {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(path, 'expected an object');
  return v as Json;
}

function str(v: unknown, path: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') bad(path, 'expected a non-empty string');
  return v;
}

function int(v: unknown, path: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    bad(path, `expected a whole number in ${min}..${max}`);
  }
  return v;
}

/** A `postgres://` URL as it is, else the SQLite file's path (default `<dataDir>/accounts.db`). */
function database(v: string | undefined, base: string, dataDir: string): string {
  if (v !== undefined && isPostgresUrl(v)) return v;
  return resolve(base, v ?? join(dataDir, 'accounts.db'));
}

function storage(v: unknown, base: string, dataDir: string): StorageConfig {
  const s = obj(v, 'storage');
  const kind = s.kind ?? 'local';
  if (kind === 'local')
    return { kind, root: resolve(base, str(s.root, 'storage.root') ?? join(dataDir, 'storage')) };
  if (kind !== 's3') bad('storage.kind', 'expected "local" or "s3"');
  const url =
    str(s.url, 'storage.url') ??
    bad('storage.url', 'required for s3, e.g. s3:s3.amazonaws.com/bucket/prefix');
  if (!url.startsWith('s3:')) bad('storage.url', 'expected s3:<endpoint>/<bucket>[/<prefix>]');
  return { kind, url };
}

function maintenance(v: unknown): MaintenanceConfig {
  const m = obj(v, 'maintenance');
  const mode = m.mode ?? 'unavailable';
  if (mode !== 'unavailable' && mode !== 'read-only' && mode !== 'off') {
    bad('maintenance.mode', 'expected "unavailable", "read-only" or "off"');
  }
  if (m.windows !== undefined && !Array.isArray(m.windows)) bad('maintenance.windows', 'expected an array');
  const downtime =
    m.downtime === undefined
      ? undefined
      : Array.isArray(m.downtime)
        ? m.downtime
        : bad('maintenance.downtime', 'expected an array');
  const periods = downtime?.map((d, i) => {
    const o = obj(d, `maintenance.downtime[${i}]`);
    const start =
      str(o.start, `maintenance.downtime[${i}].start`) ?? bad(`maintenance.downtime[${i}].start`, 'required');
    const end =
      str(o.end, `maintenance.downtime[${i}].end`) ?? bad(`maintenance.downtime[${i}].end`, 'required');
    const note = str(o.note, `maintenance.downtime[${i}].note`);
    return note === undefined ? { start, end } : { start, end, note };
  });
  return {
    mode,
    zone: str(m.zone, 'maintenance.zone'),
    windows: m.windows as unknown[] | undefined,
    downtime: periods,
  };
}

/**
 * Validates a configuration object (as read from JSON) and resolves relative paths against
 * `base` (the configuration file's directory). Unknown top-level keys are refused, so a typo does
 * not silently fall back to a default.
 *
 * @example
 * ```ts
 * const config = parseConfig({ dataDir: './data', port: 8443 }, process.cwd());
 * ```
 */
export function parseConfig(input: unknown, base: string): ServerConfig {
  const c = obj(input, '(root)');
  const known = ['host', 'port', 'dataDir', 'database', 'accessLog', 'storage', 'tls', 'insecureHttp'];
  known.push(
    'maintenance',
    'lockout',
    'alertWebhook',
    'metricsToken',
    'scrypt',
    'maxObjectBytes',
    'limits',
    'cors',
    'desk',
    'node',
  );
  for (const k of Object.keys(c))
    if (!known.includes(k)) bad(k, `unknown setting (known: ${known.join(', ')})`);
  const dataDir = resolve(base, str(c.dataDir, 'dataDir') ?? 'kluis-data');
  const tls = c.tls === undefined ? undefined : obj(c.tls, 'tls');
  if (c.insecureHttp !== undefined && typeof c.insecureHttp !== 'boolean')
    bad('insecureHttp', 'expected a boolean');
  const l = obj(c.lockout, 'lockout');
  const sc = obj(c.scrypt, 'scrypt');
  const webhook = str(c.alertWebhook, 'alertWebhook');
  if (webhook !== undefined && !/^https?:\/\//.test(webhook)) bad('alertWebhook', 'expected an http(s) URL');
  const port = int(c.port, 'port', 0, 65535) ?? 8000;
  const node = str(c.node, 'node') ?? `${hostname()}:${port === 0 ? `pid${process.pid}` : port}`;
  if (!/^[A-Za-z0-9._:-]{1,100}$/.test(node)) bad('node', 'expected 1-100 of A-Z a-z 0-9 . _ : -');
  return {
    host: str(c.host, 'host') ?? '127.0.0.1',
    port,
    node,
    database: database(str(c.database, 'database'), base, dataDir),
    accessLog: resolve(base, str(c.accessLog, 'accessLog') ?? join(dataDir, 'access.log')),
    storage: storage(c.storage, base, dataDir),
    tls: tls && {
      cert: resolve(base, str(tls.cert, 'tls.cert') ?? bad('tls.cert', 'required with tls')),
      key: resolve(base, str(tls.key, 'tls.key') ?? bad('tls.key', 'required with tls')),
    },
    insecureHttp: c.insecureHttp === true,
    maintenance: maintenance(c.maintenance),
    lockout: {
      maxFailures: int(l.maxFailures, 'lockout.maxFailures', 1, 1000) ?? DEFAULT_LOCKOUT.maxFailures,
      windowMs: int(l.windowMs, 'lockout.windowMs', 1, 2 ** 40) ?? DEFAULT_LOCKOUT.windowMs,
      baseLockMs: int(l.baseLockMs, 'lockout.baseLockMs', 1, 2 ** 40) ?? DEFAULT_LOCKOUT.baseLockMs,
      maxLockMs: int(l.maxLockMs, 'lockout.maxLockMs', 1, 2 ** 40) ?? DEFAULT_LOCKOUT.maxLockMs,
    },
    alertWebhook: webhook,
    metricsToken: str(c.metricsToken, 'metricsToken'),
    scrypt: {
      N: int(sc.N, 'scrypt.N', 2, 2 ** 22) ?? DEFAULT_SCRYPT.N,
      r: int(sc.r, 'scrypt.r', 1, 32) ?? DEFAULT_SCRYPT.r,
      p: int(sc.p, 'scrypt.p', 1, 16) ?? DEFAULT_SCRYPT.p,
    },
    maxObjectBytes: int(c.maxObjectBytes, 'maxObjectBytes', 1, 2 ** 40) ?? 128 * 2 ** 20,
    limits: limits(c.limits),
    cors: cors(c.cors),
    desk: parseDeskConfig(c.desk),
  };
}

function limits(v: unknown): ServerLimits {
  const l = obj(v, 'limits');
  const known = Object.keys(DEFAULT_LIMITS);
  for (const k of Object.keys(l))
    if (!known.includes(k)) bad(`limits.${k}`, `unknown (known: ${known.join(', ')})`);
  const get = (k: keyof ServerLimits, max: number) => int(l[k], `limits.${k}`, 1, max) ?? DEFAULT_LIMITS[k];
  const r = {
    connectionsPerAddress: get('connectionsPerAddress', 1_000_000),
    maxConnections: get('maxConnections', 1_000_000),
    headersTimeoutMs: get('headersTimeoutMs', 3_600_000),
    requestTimeoutMs: get('requestTimeoutMs', 86_400_000),
    uploadsPerAccount: get('uploadsPerAccount', 100_000),
    uploads: get('uploads', 1_000_000),
    uploadBufferBytes: get('uploadBufferBytes', 2 ** 48),
  };
  if (r.headersTimeoutMs > r.requestTimeoutMs)
    bad('limits.headersTimeoutMs', 'must not exceed requestTimeoutMs');
  return r;
}

/**
 * Reads and parses a JSON configuration file; relative paths in it are relative to the file.
 *
 * @example
 * ```ts
 * const config = loadConfig('/etc/kluis/server.json');
 * ```
 */
export function loadConfig(file: string): ServerConfig {
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new KluisError(
      'INVALID_CONFIG',
      `cannot read server configuration ${file}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  return parseConfig(input, dirname(resolve(file)));
}
