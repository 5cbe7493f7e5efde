import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, createApp } from '../src/app.ts';
import { parseConfig, type ServerConfig } from '../src/config.ts';
import { type Listening, listen } from '../src/listen.ts';
import type { Role } from '../src/matrix.ts';
import { hashPassword } from '../src/password.ts';
import { freshDatabase, projectEngine } from './_engines.ts';

/** Cheap scrypt for tests; production uses the default cost. */
export const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };

/** A Wednesday noon in Amsterdam: outside the default maintenance window. */
export const WEDNESDAY = Date.parse('2026-03-25T12:00:00+01:00');

/**
 * A server on 127.0.0.1 with its own temp directory, a fresh accounts database (an SQLite file, or
 * a PostgreSQL database when the project's engine is PostgreSQL) and a settable clock.
 */
export interface TestServer {
  dir: string;
  app: App;
  config: ServerConfig;
  listening: Listening;
  url: string;
  lines: string[];
  clock: { now: number };
  addAccount(name: string, o?: { password?: string; quota?: number; role?: Role | 'none' }): Promise<string>;
  fetchAs(
    user: string | undefined,
    path: string,
    init?: RequestInit & { password?: string },
  ): Promise<Response>;
  accessLog(): Record<string, unknown>[];
  /** Stops and starts the server on the same files (a new port). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(config: Record<string, unknown> = {}, o: { fetch?: typeof fetch } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'kluis-server-'));
  // The accounts database: SQLite in the data directory, or a fresh PostgreSQL database in the
  // server-postgres project.
  const engine = projectEngine();
  const database = engine === 'postgres' ? { database: await freshDatabase(engine, dir) } : {};
  const parsed = parseConfig({ dataDir: dir, port: 0, scrypt: FAST_SCRYPT, ...database, ...config }, dir);
  const clock = { now: WEDNESDAY };
  const lines: string[] = [];
  const start = () =>
    createApp({ config: parsed, now: () => clock.now, log: (l) => lines.push(l), fetch: o.fetch });
  const app = await start();
  const listening = await listen(app, parsed);
  const passwords = new Map<string, string>();
  const server: TestServer = {
    dir,
    app,
    config: parsed,
    listening,
    url: listening.url,
    lines,
    clock,
    async addAccount(name, a = {}) {
      const password = a.password ?? `pw-${name}-secret`;
      passwords.set(name, password);
      await server.app.accounts.add(name, await hashPassword(password, FAST_SCRYPT), {
        actor: 'test',
        quotaBytes: a.quota,
      });
      const role = a.role ?? 'backup';
      if (role !== 'none') await server.app.grants.grant({ account: name, role, scope: name, by: 'test' });
      return password;
    },
    fetchAs(user, path, init = {}) {
      const headers = new Headers(init.headers);
      if (user !== undefined) {
        const pw = init.password ?? passwords.get(user) ?? 'x';
        headers.set('authorization', `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`);
      }
      return fetch(new URL(path, server.url), { ...init, headers });
    },
    accessLog() {
      return readFileSync(parsed.accessLog, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    async restart() {
      await server.listening.close();
      await server.app.close();
      server.app = await start();
      server.listening = await listen(server.app, parsed);
      server.url = server.listening.url;
    },
    async close() {
      await server.listening.close();
      await server.app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Bytes and their SHA-256 hex name, as restic names data objects. */
export function blob(text: string | Uint8Array): { bytes: Uint8Array<ArrayBuffer>; id: string } {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : new Uint8Array(text);
  return { bytes, id: createHash('sha256').update(bytes).digest('hex') };
}

/** Sends a request with a raw, unnormalised target (fetch would resolve `..`). */
export function rawRequest(
  url: string,
  o: { method: string; path: string; headers?: Record<string, string>; body?: Uint8Array },
): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: u.hostname, port: u.port, method: o.method, path: o.path, headers: o.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A GET from another loopback address (`127.0.0.2` …), as a client elsewhere would send it. */
export function requestFrom(
  url: string,
  localAddress: string,
  o: { path: string; method?: string; headers?: Record<string, string> },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        localAddress,
        method: o.method ?? 'GET',
        path: o.path,
        headers: o.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}
