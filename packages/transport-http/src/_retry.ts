import { KluisError, type RetryOptions, type Transport, withRetry } from '@kluis/core';
import { retryAfterOf } from './_status';

/**
 * Wraps the raw client in core's `withRetry`, so HTTP retries follow the same policy as every other
 * transport, and makes the backoff honour a server's `Retry-After`: the wait before the next
 * attempt is the larger of the jittered backoff and the server's delay (capped at `maxRetryAfterMs`).
 * `withRetry` calls `onRetry` and then `sleep` for the same failure with nothing in between, which
 * is what lets the delay pass from one to the other.
 */
export function withServerRetry(
  transport: Transport,
  options: RetryOptions | false | undefined,
  maxRetryAfterMs: number,
): Transport {
  if (options === false) return transport;
  let requested = 0;
  const sleep = options?.sleep ?? abortableSleep;
  return withRetry(transport, {
    ...options,
    onRetry: (event) => {
      requested = Math.min(retryAfterOf.get(event.error) ?? 0, maxRetryAfterMs);
      options?.onRetry?.(event);
    },
    sleep: (ms, signal) => {
      const wait = Math.max(ms, requested);
      requested = 0;
      return sleep(wait, signal);
    },
  });
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => new KluisError('ABORTED', 'operation aborted', { cause: signal?.reason });
    if (signal?.aborted) return reject(aborted());
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
