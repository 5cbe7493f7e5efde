import type { AbortOptions, Transport } from '@kluis/core';
import { createClient, send } from './_client';
import { get, list, stat } from './_client-read';
import { put, remove } from './_client-write';
import { withServerRetry } from './_retry';
import type { HttpTransportOptions } from './http-transport-options';

/**
 * A {@link Transport} over restic's REST protocol v2: works against `createRestHandler`,
 * restic's rest-server and compatible servers, in Node, Deno, Bun and browsers (plain `fetch`).
 *
 * - Keys map to `{url}config` and `{url}<type>/<name>` (types `data keys locks snapshots index`);
 *   any other key is a `TypeError`.
 * - `get` with a range sends `Range: bytes=a-b` and checks the 206 reply; a server that ignores
 *   ranges is read whole and sliced.
 * - Uploads are `POST`s, which REST servers never let overwrite: `put` with `ifAbsent` maps the
 *   refusal to `ALREADY_EXISTS` (a plain 403 is told apart from a denial with a `HEAD`); `put`
 *   without it replaces by delete-then-create, which is not atomic (the engine only does that for
 *   `config` and key slots).
 * - `list` asks for v2 listings; a v1 server's names are completed with one `HEAD` each.
 * - Status codes map to `KluisError` codes (401/403 `AUTH`, 404 `NOT_FOUND`, 413/507 `QUOTA`, 429 and
 *   5xx `UNAVAILABLE`, …); retryable ones are retried by `withRetry` with backoff and `Retry-After`.
 *
 * @example
 * ```ts
 * import { httpTransport } from '@kluis/transport-http';
 *
 * const transport = httpTransport({ url: 'https://backup.example.org/alice/', auth: { token } });
 * await transport.put('keys/k1', keyBytes, { ifAbsent: true });
 * for await (const { key, size } of transport.list('snapshots/')) console.log(key, size);
 * ```
 */
export function httpTransport(options: HttpTransportOptions): Transport {
  const client = createClient(options);
  const forced = options.conditionalPut ?? 'auto';
  const maxConcurrency = options.maxConcurrency ?? 8;
  const raw: Transport = {
    name: client.base.href,
    capabilities: {
      rangeRead: true,
      get conditionalPut() {
        return forced === 'auto' ? client.atomicCreate : forced;
      },
      listConsistency: 'strong',
      maxConcurrency,
    },
    stat: (key, o) => stat(client, key, o),
    get: (key, o) => get(client, key, o),
    put: (key, body, o) => put(client, key, body, o),
    delete: (key, o) => remove(client, key, o),
    list: (prefix, o) => list(client, prefix, o),
  };
  return withServerRetry(raw, options.retry, options.maxRetryAfterMs ?? 60_000);
}

/**
 * Creates the repository at `options.url` on the server (`POST {url}?create=true`), as `restic
 * init` does before writing `config`. Servers answer 200 whether or not it existed, so this is
 * safe to call every time. `httpTransport` never does it by itself: creating storage is a
 * deliberate step, and a typo in a URL should fail rather than start a new repository.
 *
 * @example
 * ```ts
 * const options = { url: 'https://backup.example.org/alice/', auth: { username: 'alice', password } };
 * await createRepository(options);
 * const transport = httpTransport(options);
 * ```
 */
export async function createRepository(options: HttpTransportOptions, o: AbortOptions = {}): Promise<void> {
  const client = createClient(options);
  await send(client, {
    method: 'POST',
    path: '?create=true',
    what: 'create repository',
    ok: [200, 201],
    signal: o.signal,
  });
}
