import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Transport } from '@kluis/core';
import { UsageError } from './errors';

type Env = Record<string, string | undefined>;

/**
 * Turns a repository location into a transport:
 * - `s3:http://host:port/bucket/prefix` or `s3:https://…` — S3-compatible storage, credentials
 *   from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_REGION`;
 * - `http://…` / `https://…` / `rest:http://…` — a kluis (or restic rest-server) server, with
 *   credentials in the URL or `KLUIS_HTTP_USER` / `KLUIS_HTTP_PASSWORD`;
 * - anything else — a local directory.
 */
export async function openTransport(location: string, env: Env): Promise<Transport> {
  return (await locate(location, env)).transport;
}

/**
 * Hides the password of every URL in `text` (`http://alice:secret@host/` → `http://alice:***@host/`),
 * so no message or log line shows it. The user name stays, as restic shows it. The password runs
 * to the last `@` before the host, as URL parsers read it (`a:p@ss@host`: the password is `p@ss`).
 */
export function redact(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):[^\s/?#]*@/gi, '$1$2:***@');
}

/** Whether a repository location is a local directory (not `s3:`, `rest:` or an http(s) URL). */
export function isLocalLocation(location: string): boolean {
  return !/^(s3:|rest:|https?:\/\/)/.test(location);
}

/**
 * Makes sure the storage for a new repository exists: a REST server is asked to create the
 * repository (`POST ?create=true`), never implicitly, so a typo in a URL fails instead of creating
 * a stray repository; other stores need nothing.
 */
export async function createStorage(location: string, env: Env): Promise<Transport> {
  const { transport, create } = await locate(location, env);
  await create?.();
  return transport;
}

async function locate(
  location: string,
  env: Env,
): Promise<{ transport: Transport; create?: () => Promise<void> }> {
  if (location === '') throw new UsageError('no repository given: use --repo or set KLUIS_REPOSITORY');
  if (location.startsWith('s3:')) {
    const { s3TransportFromUrl } = await import('@kluis/transport-s3');
    // node:crypto's MD5 for Content-MD5: ~8x faster than the portable one.
    const md5 = (b: Uint8Array) => new Uint8Array(createHash('md5').update(b).digest());
    return { transport: await s3TransportFromUrl(location, { env, md5 }) };
  }
  const options = httpOptionsOf(location, env);
  if (options) {
    const { createRepository, httpTransport } = await import('@kluis/transport-http');
    return { transport: httpTransport(options), create: () => createRepository(options) };
  }
  // Imported here, not at the top: main.ts imports `redact` from this module, and `kluis --help`
  // loads nothing of the engine.
  const { localTransport } = await import('@kluis/core/node');
  return { transport: localTransport({ root: resolve(location) }) };
}

/**
 * The server URL and credentials of an `http(s)://` or `rest:` location (credentials from the URL,
 * else `KLUIS_HTTP_USER` / `KLUIS_HTTP_PASSWORD`); `undefined` for any other location.
 */
export function httpOptionsOf(
  location: string,
  env: Env,
): { url: string; auth?: { username: string; password: string } } | undefined {
  const rest = location.startsWith('rest:') ? location.slice(5) : location;
  if (!/^https?:\/\//.test(rest)) return undefined;
  const url = new URL(rest);
  const username = decodeURIComponent(url.username) || env.KLUIS_HTTP_USER;
  const password = decodeURIComponent(url.password) || env.KLUIS_HTTP_PASSWORD;
  url.username = '';
  url.password = '';
  return { url: url.toString(), ...(username && password ? { auth: { username, password } } : {}) };
}
