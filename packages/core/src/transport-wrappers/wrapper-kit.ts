import { KluisError } from '../errors';
import type { Transport } from '../transport';

/**
 * A transport that forwards every call to `inner` unchanged: the starting point of a wrapper,
 * which then overrides the operations it changes.
 */
export function forward(inner: Transport): Transport {
  return {
    name: inner.name,
    capabilities: inner.capabilities,
    stat: (key, o) => inner.stat(key, o),
    get: (key, o) => inner.get(key, o),
    put: (key, body, o) => inner.put(key, body, o),
    delete: (key, o) => inner.delete(key, o),
    list: (prefix, o) => inner.list(prefix, o),
  };
}

/** The `ABORTED` error for a fired signal, keeping its reason as `cause`. */
export function abortedError(signal: AbortSignal): KluisError {
  return new KluisError('ABORTED', 'operation aborted', { cause: signal.reason });
}

/**
 * Resolves after `ms` milliseconds, or rejects with `ABORTED` as soon as `signal` fires.
 * Uses only `setTimeout`, so it works in browsers and Node alike.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortedError(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `task` through a gate (a concurrency limiter) and rejects with `ABORTED` at once if the
 * signal fires while the task is still waiting for its turn. Once the task has started, the
 * signal is the task's business: it is never abandoned half-way, so a started `put` either
 * completes or is aborted by the transport itself (which leaves no partial object).
 */
export function gated<T>(
  gate: (fn: () => Promise<T>) => Promise<T>,
  signal: AbortSignal | undefined,
  task: () => Promise<T>,
): Promise<T> {
  if (!signal) return gate(task);
  if (signal.aborted) return Promise.reject(abortedError(signal));
  return new Promise<T>((resolve, reject) => {
    let started = false;
    const onAbort = (): void => {
      if (!started) reject(abortedError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    gate(async () => {
      started = true;
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) throw abortedError(signal);
      return task();
    }).then(resolve, reject);
  });
}
