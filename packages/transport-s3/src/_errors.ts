import { KluisError } from '@kluis/core';

/** The fields of an SDK error (an `S3ServiceException`, or a network error) that the mapping reads. */
interface ErrorShape {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

const AUTH = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'RequestTimeTooSkewed',
  'AllAccessDisabled',
  'AccountProblem',
  'CredentialsProviderError',
]);
const UNAVAILABLE = new Set(['SlowDown', 'ServiceUnavailable', 'InternalError', 'Throttling']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);
const TIMEOUT = new Set(['TimeoutError', 'RequestTimeout', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);
const QUOTA = new Set(['QuotaExceeded', 'InsufficientStorage']);

/**
 * The S3 error code of an SDK error (`NoSuchKey`, `SlowDown`, …), or a Node network error code.
 * The Node code goes before the name: the SDK names a reset connection `TimeoutError`.
 */
function codeOf(e: ErrorShape): string {
  for (const c of [e.Code, e.code, e.name]) {
    if (typeof c === 'string' && c !== '' && c !== 'Error' && c !== 'UnknownError') return c;
  }
  return 'UnknownError';
}

/**
 * Turns whatever the S3 client threw into a `KluisError` with the right code and `retryable` flag.
 * `what` names the operation (`s3 put data/ab…`) for the message. An aborted `signal` always wins:
 * the SDK reports aborts in several shapes, the caller only needs `ABORTED`.
 */
export function toKluisError(error: unknown, what: string, signal?: AbortSignal): KluisError {
  if (KluisError.is(error)) return error;
  if (signal?.aborted) return new KluisError('ABORTED', `${what}: aborted`, { cause: signal.reason });
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorShape;
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const code = codeOf(e);
  const said = status === undefined ? code : `${code}, HTTP ${status}`;
  const fail = (k: ConstructorParameters<typeof KluisError>[0], hint: string, retryable?: boolean) =>
    new KluisError(k, `${what}: ${hint} (${said})`, {
      cause: error,
      ...(retryable === undefined ? {} : { retryable }),
    });
  if (code === 'AbortError') return fail('ABORTED', 'aborted');
  if (code === 'NoSuchBucket') return fail('INVALID_CONFIG', 'the bucket does not exist (create it first)');
  if (code === 'PreconditionFailed' || status === 412) return fail('ALREADY_EXISTS', 'the object exists');
  if (AUTH.has(code) || status === 401 || (status === 403 && !QUOTA.has(code))) {
    return fail('AUTH', 'the server refused the credentials or the operation; check keys and bucket policy');
  }
  if (QUOTA.has(code) || status === 507) return fail('QUOTA', 'the storage quota is exhausted');
  if (code === 'BadDigest' || code === 'XAmzContentSHA256Mismatch') {
    return fail('INTEGRITY', 'the server received bytes that do not match their checksum', true);
  }
  if (code === 'InvalidRange' || status === 416) return fail('INVALID_DATA', 'the range is past the end');
  if (code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchUpload' || status === 404) {
    return fail('NOT_FOUND', 'no such object');
  }
  if (TIMEOUT.has(code)) return fail('TIMEOUT', 'the request timed out');
  if (code === 'NotImplemented' || status === 501) {
    return fail('UNAVAILABLE', 'the server does not implement this request', false);
  }
  if (UNAVAILABLE.has(code) || NETWORK.has(code) || (status !== undefined && status >= 500)) {
    return fail('UNAVAILABLE', 'the server is unavailable or the connection failed');
  }
  if (status === undefined && /socket|network|fetch|load failed/i.test(String(e.message))) {
    return fail('UNAVAILABLE', 'the connection failed');
  }
  return fail('PROTOCOL', 'the server answered outside the expected protocol');
}

/**
 * Runs one SDK call with the caller's signal and maps any failure with {@link toKluisError}.
 * Checks the signal first, so an already aborted call never reaches the network.
 */
export async function call<T>(
  what: string,
  signal: AbortSignal | undefined,
  run: (options: { abortSignal?: AbortSignal }) => Promise<T>,
): Promise<T> {
  if (signal?.aborted) throw new KluisError('ABORTED', `${what}: aborted`, { cause: signal.reason });
  try {
    return await run(signal ? { abortSignal: signal } : {});
  } catch (e) {
    throw toKluisError(e, what, signal);
  }
}
