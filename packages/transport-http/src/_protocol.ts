/**
 * Wire constants shared by the client and the handler. The media types are restic's; the
 * `Kluis-*` headers are kluis extensions that other REST servers simply do not send.
 */

/** Media type of v2 listings (`[{ "name", "size" }]`), also sent as `Accept` by v2 clients. */
export const V2_TYPE = 'application/vnd.x.restic.rest.v2';
/** Media type of v1 listings (an array of names). */
export const V1_TYPE = 'application/vnd.x.restic.rest.v1';

/**
 * Response header naming why a request failed, so clients need not guess from the status alone.
 * Values: see {@link ErrorToken}.
 */
export const ERROR_HEADER = 'kluis-error';

/**
 * Response header announcing that uploads are create-only and atomic (`atomic`) or create-only by
 * check-then-write (`check`). The client turns `atomic` into `capabilities.conditionalPut`.
 */
export const CREATE_ONLY_HEADER = 'kluis-create-only';

/**
 * Headers of a 507 (quota) answer: the bytes the account has stored, and its limit. A client
 * shows them (`9.8 MiB of 10 MiB used`) instead of a bare status.
 */
export const QUOTA_USED_HEADER = 'kluis-quota-used';
export const QUOTA_LIMIT_HEADER = 'kluis-quota-limit';

/**
 * Header of a 503 answered during maintenance: the ISO 8601 instant the maintenance ends. A client
 * tells its user at once (`server in maintenance until …`) instead of retrying for hours.
 */
export const MAINTENANCE_UNTIL_HEADER = 'kluis-maintenance-until';

/** Machine-readable reasons sent in {@link ERROR_HEADER}. */
export type ErrorToken =
  | 'already-exists'
  | 'hash-mismatch'
  | 'invalid-request'
  | 'length-required'
  | 'too-large'
  | 'truncated'
  | 'not-found'
  | 'unauthenticated'
  | 'forbidden'
  | 'range-not-satisfiable'
  | 'method-not-allowed'
  | 'not-implemented'
  | 'unavailable'
  | 'maintenance'
  | 'internal';

/** An error response with a short text body and the {@link ERROR_HEADER}. */
export function errorResponse(
  status: number,
  token: ErrorToken,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', [ERROR_HEADER]: token, ...headers },
  });
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** SHA-256 of `bytes` as lowercase hex, through WebCrypto (native speed in Node, Deno, Bun, browsers). */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

/** A byte range to serve: `length` bytes from `offset`. */
export interface ByteRange {
  offset: number;
  length: number;
}

const SINGLE = /^bytes=(\d*)-(\d*)$/;

/**
 * Interprets a `Range` header against an object of `size` bytes, as RFC 9110 says: `undefined`
 * serves the whole object (no header, a malformed one, several ranges, or an empty object, which
 * restic's client may ask for with `bytes=0-`), `'unsatisfiable'` answers 416, otherwise the range
 * clamped to the object's end.
 */
export function parseRange(header: string | null, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (header === null || size === 0) return undefined;
  const m = SINGLE.exec(header.trim());
  if (!m) return undefined;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const n = Number(b);
    if (!Number.isSafeInteger(n)) return undefined;
    if (n === 0) return 'unsatisfiable';
    const offset = Math.max(0, size - n);
    return { offset, length: size - offset };
  }
  const first = Number(a);
  const last = b === '' ? size - 1 : Number(b);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last < first) return undefined;
  if (first >= size) return 'unsatisfiable';
  return { offset: first, length: Math.min(last, size - 1) - first + 1 };
}
