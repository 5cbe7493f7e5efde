import type { AbortOptions } from '@kluis/core';
import { createClient, send } from './_client';
import type { HttpTransportOptions } from './http-transport';

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
