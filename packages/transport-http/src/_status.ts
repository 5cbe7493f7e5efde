import { KluisError } from '@kluis/core';
import { ERROR_HEADER } from './_protocol';

/** Server-requested delays of retryable errors, read by the retry policy (see `_retry.ts`). */
export const retryAfterOf = new WeakMap<KluisError, number>();

/**
 * Maps a non-success HTTP response to a {@link KluisError}. The `Kluis-Error` header of a kluis
 * server refines the status (a 403 for an existing object becomes `ALREADY_EXISTS`, a 400 for a bad
 * hash `INTEGRITY`); other servers are understood by status alone.
 */
export function statusError(response: Response, what: string): KluisError {
  const { status } = response;
  const token = response.headers.get(ERROR_HEADER);
  const message = `${what}: HTTP ${status} ${response.statusText}${token ? ` (${token})` : ''}`.replace(
    /\s+$/,
    '',
  );
  if (token === 'already-exists' || status === 409 || status === 412)
    return new KluisError('ALREADY_EXISTS', message);
  if (token === 'hash-mismatch') return new KluisError('INTEGRITY', message);
  if (status === 401 || status === 403)
    return new KluisError('AUTH', `${message}: check the credentials and rights`);
  if (status === 404) return new KluisError('NOT_FOUND', message);
  if (status === 416) return new KluisError('INVALID_DATA', `${message}: range past the end of the object`);
  if (status === 413 || status === 507) return new KluisError('QUOTA', message);
  if (status === 501 || status === 505) return new KluisError('PROTOCOL', message);
  if (status === 429 || status >= 500) {
    const error = new KluisError('UNAVAILABLE', message, { retryable: true });
    const delay = parseRetryAfter(response.headers.get('retry-after'));
    if (delay !== undefined) retryAfterOf.set(error, delay);
    return error;
  }
  return new KluisError('PROTOCOL', message);
}

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date; `undefined` if absent or bad. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Maps a failed `fetch` (no response at all) to a {@link KluisError}: the caller's abort is
 * `ABORTED`, the request's own timeout `TIMEOUT`, a network failure (`TypeError` from fetch)
 * `UNAVAILABLE`; all but the first are retryable.
 */
export function fetchError(
  e: unknown,
  what: string,
  caller: AbortSignal | undefined,
  timeout: AbortSignal,
): KluisError {
  if (KluisError.is(e)) return e;
  if (caller?.aborted) return new KluisError('ABORTED', `${what}: aborted`, { cause: caller.reason });
  if (timeout.aborted) return new KluisError('TIMEOUT', `${what}: no answer in time`, { cause: e });
  const detail = e instanceof Error ? e.message : String(e);
  return new KluisError('UNAVAILABLE', `${what}: network error (${detail})`, { cause: e, retryable: true });
}
