import { KluisError, throwIfAborted } from '../errors';
import type { AbortOptions, ObjectInfo, Transport } from '../transport';
import type { TransportOp } from './operation';
import { abortableSleep, forward } from './wrapper-kit';

/** Options of {@link withRetry}. */
export interface RetryOptions {
  /** Further attempts after the first one. Default 4 (so at most 5 calls). */
  retries?: number;
  /** Upper bound of the first backoff delay, in ms. Default 100. */
  minDelayMs?: number;
  /** Cap of every backoff delay, in ms. Default 10 000. */
  maxDelayMs?: number;
  /**
   * The wait a failed call's storage asked for, in ms (e.g. from an HTTP `Retry-After` header),
   * or `undefined`. The wait before the next attempt is then the larger of this and the backoff.
   */
  retryAfterMs?: (error: KluisError) => number | undefined;
  /** Called right before each backoff sleep (e.g. to log or count retries). */
  onRetry?: (event: RetryEvent) => void;
  /** Sleeps `ms` or rejects with `ABORTED` when `signal` fires. Injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A uniform random number in [0, 1). Injectable for tests. Default `Math.random`. */
  random?: () => number;
}

/** What {@link RetryOptions.onRetry} learns about a failed attempt. */
export interface RetryEvent {
  /** The operation that failed. */
  readonly op: TransportOp;
  /** Its key (the prefix for `list`). */
  readonly key: string;
  /** The attempt that failed: 1 for the first call. */
  readonly attempt: number;
  /** How long the wrapper now waits before the next attempt (backoff, or the storage's `retryAfterMs`). */
  readonly delayMs: number;
  /** The retryable error of that attempt. */
  readonly error: KluisError;
}

interface Policy {
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
  onRetry: ((event: RetryEvent) => void) | undefined;
  retryAfterMs: ((error: KluisError) => number | undefined) | undefined;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
}

/**
 * Retries the calls of `transport` that fail with a `retryable` {@link KluisError} (`UNAVAILABLE`,
 * `TIMEOUT`, …), with exponential backoff and full jitter: before attempt n+1 it sleeps a uniform
 * random time in `[0, min(maxDelayMs, minDelayMs · 2ⁿ⁻¹))`, or longer if `retryAfterMs` says the
 * storage asked for more. Anything else (`NOT_FOUND`, `AUTH`,
 * `ABORTED`, a `TypeError` for a bad key) is thrown at once, and so is the last error when the
 * retries are used up. The caller's `signal` cuts a backoff sleep short with `ABORTED`.
 *
 * Two cases need care and are handled:
 * - `put` with `ifAbsent`: if an attempt fails after the storage already stored the object (a lost
 *   response), the next attempt sees `ALREADY_EXISTS`. On a retry, the wrapper then reads the
 *   object back, and succeeds if it holds exactly `body`.
 * - `list`: a listing that fails part-way is restarted, and keys already yielded are skipped, so
 *   every key is still yielded exactly once. This remembers the yielded keys (about 100 bytes each).
 *
 * The result has no `openWriter`, even when `transport` has one: a half-written object cannot be
 * retried, while a `put` can, so callers write whole objects through it.
 *
 * @example
 * ```ts
 * const transport = withRetry(s3Transport({ client, bucket }), {
 *   retries: 6,
 *   onRetry: (e) => console.warn(`${e.op} ${e.key} failed (${e.error.code}), retry in ${e.delayMs} ms`),
 * });
 * ```
 */
export function withRetry(transport: Transport, options: RetryOptions = {}): Transport {
  const policy = resolvePolicy(options);
  return {
    ...forward(transport),
    stat: (key, o) => retry(policy, 'stat', key, o, () => transport.stat(key, o)),
    get: (key, o) => retry(policy, 'get', key, o, () => transport.get(key, o)),
    delete: (key, o) => retry(policy, 'delete', key, o, () => transport.delete(key, o)),
    put: (key, body, o) =>
      retry(policy, 'put', key, o, async (attempt) => {
        try {
          await transport.put(key, body, o);
        } catch (e) {
          const ours = attempt > 1 && o?.ifAbsent === true && KluisError.is(e, 'ALREADY_EXISTS');
          if (!ours || !(await holds(transport, key, body, o))) throw e;
        }
      }),
    list: (prefix, o) => retryList(policy, transport, prefix, o),
  };
}

function resolvePolicy(o: RetryOptions): Policy {
  const policy: Policy = {
    retries: o.retries ?? 4,
    minDelayMs: o.minDelayMs ?? 100,
    maxDelayMs: o.maxDelayMs ?? 10_000,
    onRetry: o.onRetry,
    retryAfterMs: o.retryAfterMs,
    sleep: o.sleep ?? abortableSleep,
    random: o.random ?? Math.random,
  };
  if (!Number.isSafeInteger(policy.retries) || policy.retries < 0) {
    throw new RangeError(`withRetry: retries must be a non-negative integer, got ${policy.retries}`);
  }
  if (!(policy.minDelayMs >= 0 && policy.maxDelayMs >= policy.minDelayMs)) {
    throw new RangeError(
      `withRetry: need 0 <= minDelayMs <= maxDelayMs, got ${policy.minDelayMs} and ${policy.maxDelayMs}`,
    );
  }
  return policy;
}

/** Full-jitter exponential backoff before the attempt after `attempt` (1-based). */
function backoff(policy: Policy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** (attempt - 1));
  return Math.floor(policy.random() * ceiling);
}

/** Waits before the next attempt if `error` deserves one; otherwise rethrows it. */
async function pause(
  policy: Policy,
  op: TransportOp,
  key: string,
  attempt: number,
  error: unknown,
  o?: AbortOptions,
) {
  if (!KluisError.is(error) || !error.retryable || attempt > policy.retries) throw error;
  const delayMs = Math.max(backoff(policy, attempt), policy.retryAfterMs?.(error) ?? 0);
  policy.onRetry?.({ op, key, attempt, delayMs, error });
  await policy.sleep(delayMs, o?.signal);
}

async function retry<T>(
  policy: Policy,
  op: TransportOp,
  key: string,
  o: AbortOptions | undefined,
  call: (attempt: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(o?.signal);
    try {
      return await call(attempt);
    } catch (e) {
      await pause(policy, op, key, attempt, e, o);
    }
  }
}

async function* retryList(
  policy: Policy,
  transport: Transport,
  prefix: string,
  o: AbortOptions | undefined,
): AsyncIterable<ObjectInfo> {
  const seen = new Set<string>();
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(o?.signal);
    try {
      for await (const info of transport.list(prefix, o)) {
        if (seen.has(info.key)) continue;
        seen.add(info.key);
        yield info;
      }
      return;
    } catch (e) {
      await pause(policy, 'list', prefix, attempt, e, o);
    }
  }
}

/** True when `key` holds exactly `body` (so an earlier attempt of ours stored it). */
async function holds(
  transport: Transport,
  key: string,
  body: Uint8Array,
  o?: AbortOptions,
): Promise<boolean> {
  let stored: Uint8Array;
  try {
    stored = await transport.get(key, o);
  } catch {
    return false;
  }
  if (stored.length !== body.length) return false;
  for (let i = 0; i < body.length; i++) if (stored[i] !== body[i]) return false;
  return true;
}
