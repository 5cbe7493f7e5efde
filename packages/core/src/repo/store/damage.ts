// Telling damage to stored objects apart from failures of the operation. Internal: never re-exported.
import { KluisError } from '../../errors';

import type { DamagedObject } from './damaged';

export type { DamagedObject };

/**
 * True for errors that say the object's bytes are bad (failed authentication or hash, malformed,
 * unknown version): reading the other objects is still worth it. Anything else (storage down,
 * aborted, refused) stops the operation.
 */
export function isDamage(e: unknown): e is KluisError {
  return KluisError.is(e, 'INTEGRITY', 'INVALID_DATA', 'UNSUPPORTED_VERSION');
}

/** Lists every key under `prefix` first, so no read is in flight while the listing can still fail. */
export async function listKeys(
  list: (prefix: string, o: { signal?: AbortSignal }) => AsyncIterable<{ key: string }>,
  prefix: string,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of list(prefix, signal ? { signal } : {})) keys.push(o.key);
  return keys;
}

/**
 * Waits for every promise to settle, then rejects with the first rejection (in list order), so
 * none is left rejecting unobserved and nothing is still running when the caller moves on.
 */
export async function settleAll<T>(jobs: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(jobs);
  const failed = results.find((x) => x.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return results.map((x) => (x as PromiseFulfilledResult<T>).value);
}
