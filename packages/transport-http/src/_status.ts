import { KluisError } from '@kluis/core';
import { ERROR_HEADER, MAINTENANCE_UNTIL_HEADER, QUOTA_LIMIT_HEADER, QUOTA_USED_HEADER } from './_protocol';

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
  if (status === 413 || status === 507) return new KluisError('QUOTA', `${message}${quotaFigures(response)}`);
  if (status === 501 || status === 505) return new KluisError('PROTOCOL', message);
  if (status === 503) {
    const until = Date.parse(response.headers.get(MAINTENANCE_UNTIL_HEADER) ?? '');
    // Retrying until a maintenance window ends would keep the user waiting for hours in silence.
    if (!Number.isNaN(until))
      return new KluisError('UNAVAILABLE', `server in maintenance until ${localTime(until)}`, {
        retryable: false,
      });
  }
  if (status === 429 || status >= 500) {
    const error = new KluisError('UNAVAILABLE', message, { retryable: true });
    const delay = parseRetryAfter(response.headers.get('retry-after'));
    if (delay !== undefined) retryAfterOf.set(error, delay);
    return error;
  }
  return new KluisError('PROTOCOL', message);
}

/** `2026-03-28 17:00 (+01:00)`: the machine's local time, with its offset. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const date = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  return `${date} ${p(d.getHours())}:${p(d.getMinutes())} (${sign}${p(Math.floor(abs / 60))}:${p(abs % 60)})`;
}

/** `: 9.8 MiB of 10 MiB used` from a kluis server's quota headers; empty when it sent none. */
function quotaFigures(response: Response): string {
  const used = Number(response.headers.get(QUOTA_USED_HEADER) ?? Number.NaN);
  const limit = Number(response.headers.get(QUOTA_LIMIT_HEADER) ?? Number.NaN);
  if (!Number.isFinite(used) || !Number.isFinite(limit) || used < 0 || limit <= 0) return '';
  return `: ${size(used)} of ${size(limit)} used`;
}

/** Bytes in binary units, as the CLI prints them. */
function size(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) [v, u] = [v / 1024, u + 1];
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
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
 * `ABORTED`, the request's own timeout `TIMEOUT`, a refused TLS certificate a non-retryable
 * `UNAVAILABLE` that says so, any other network failure (`TypeError` from fetch) a retryable
 * `UNAVAILABLE`.
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
  const tls = certificateError(e, what);
  if (tls) return tls;
  const detail = e instanceof Error ? e.message : String(e);
  return new KluisError('UNAVAILABLE', `${what}: network error (${detail})`, { cause: e, retryable: true });
}

/** What to do about each certificate error Node reports (as the `code` of the fetch error's cause). */
const CERTIFICATE_HINTS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'it is signed by a certificate authority that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its issuer is not trusted or missing from the chain the server sends',
  UNABLE_TO_GET_ISSUER_CERT: 'its issuer is not trusted or missing from the chain the server sends',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its issuer is not trusted or missing from the chain the server sends',
  CERT_UNTRUSTED: 'it is not trusted',
  CERT_SIGNATURE_FAILURE: 'its signature does not verify',
  CERT_HAS_EXPIRED: 'it has expired: renew it on the server',
  CERT_NOT_YET_VALID: 'it is not valid yet: check the clocks of both machines',
  CERT_REVOKED: 'it has been revoked',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it does not name this host: use the host name it was issued for',
};
/** Codes that trusting another certificate authority can fix. */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

/**
 * A fetch that failed because the server's TLS certificate was refused, as a one-line error that
 * says so and what to do; `undefined` for any other failure. Node's fetch reports it as a bare
 * "fetch failed" whose `cause` (maybe nested) carries the code. Retrying cannot help.
 */
function certificateError(e: unknown, what: string): KluisError | undefined {
  let c: unknown = e;
  for (let i = 0; i < 4 && c !== null && typeof c === 'object'; i++, c = (c as { cause?: unknown }).cause) {
    const code = (c as { code?: unknown }).code;
    const hint = typeof code === 'string' ? CERTIFICATE_HINTS[code] : undefined;
    if (hint === undefined) continue;
    const trust = UNTRUSTED.has(code as string)
      ? ' (to trust it, point NODE_EXTRA_CA_CERTS at a PEM file holding its CA certificate, or the certificate itself)'
      : '';
    return new KluisError(
      'UNAVAILABLE',
      `${what}: the server's TLS certificate was refused: ${hint} [${code}]${trust}`,
      { cause: e, retryable: false },
    );
  }
  return undefined;
}
