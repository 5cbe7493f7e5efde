import { type AbortOptions, KluisError } from '@kluis/core';
import * as z from 'zod/mini';
import { createClient, send } from './_client';
import { inEnglish } from './_zod-messages';
import type { HttpTransportOptions } from './http-transport-options';

/**
 * The settings of the server account whose area holds a repository, as a kluis server reports
 * them (`GET /-/account?repo=…`).
 *
 * @example
 * ```ts
 * const info: AccountInfo = { account: 'alice', retentionDays: 7, protectDays: 7, usedBytes: 0, quotaBytes: undefined };
 * ```
 */
export interface AccountInfo {
  /** The account name (the first segment of the repository path). */
  account: string;
  /** Days of versions the account keeps. */
  retentionDays: number;
  /** Days during which the server's retention lock refuses deletes of snapshots and data packs. */
  protectDays: number;
  /** Bytes the account's area holds, as the server counts them. */
  usedBytes: number;
  /** The account's capacity in bytes; `undefined`: unlimited. */
  quotaBytes: number | undefined;
}

const MAX_BODY = 64 << 10;
const days = z.int().check(z.gte(0), z.lte(100_000));
const bytes = z.int().check(z.gte(0), z.lte(Number.MAX_SAFE_INTEGER));
const schema = z.object({
  account: z.string().check(z.minLength(1), z.maxLength(255)),
  retentionDays: days,
  protectDays: days,
  usedBytes: bytes,
  quotaBytes: z.nullable(bytes),
});

/**
 * Asks a kluis server for the settings of the account that holds the repository at
 * `options.url`: retention days, protected days, bytes used and the quota. The server answers at
 * `/-/account` of the URL's origin (the reference server's layout, where the first path segment
 * of a repository is its account); the repository path goes in the query, so a grant scoped to
 * one repository is enough. Any role may read it.
 *
 * Errors: `NOT_FOUND` when the server offers no such endpoint (restic's rest-server) or the
 * account does not exist, `AUTH` for 401/403, `PROTOCOL` for an answer that is not the expected
 * JSON; network failures as for {@link httpTransport}.
 *
 * @example
 * ```ts
 * import { fetchAccountInfo } from '@kluis/transport-http';
 *
 * const auth = { username: 'alice', password };
 * const info = await fetchAccountInfo({ url: 'https://backup.example.org/alice/laptop/', auth });
 * const keepDays = Math.max(info.retentionDays, info.protectDays + 1); // never meets the lock
 * ```
 */
export async function fetchAccountInfo(
  options: HttpTransportOptions,
  o: AbortOptions = {},
): Promise<AccountInfo> {
  const client = createClient(options);
  const repo = decodeURIComponent(client.base.pathname).replace(/^\/+|\/+$/g, '');
  const path = `/-/account${repo ? `?repo=${encodeURIComponent(repo)}` : ''}`;
  const what = `read account settings (${new URL('/-/account', client.base).href})`;
  const r = await send(client, {
    method: 'GET',
    path,
    what,
    ok: [200],
    headers: { accept: 'application/json' },
    signal: o.signal,
    maxBytes: MAX_BODY,
  });
  let parsed: z.infer<typeof schema>;
  try {
    parsed = schema.parse(JSON.parse(new TextDecoder().decode(r.body)), inEnglish());
  } catch (e) {
    throw new KluisError('PROTOCOL', `${what}: the answer is not a kluis server's account settings`, {
      cause: e,
    });
  }
  return { ...parsed, quotaBytes: parsed.quotaBytes ?? undefined };
}
