import { KluisError } from '@kluis/core';

/** `n` pseudo-random bytes from `seed` (xorshift32): reproducible and incompressible. */
export function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** The rejection of `promise` as a KluisError (fails the test if it resolves or throws anything else). */
export async function kluisFailure(promise: Promise<unknown>): Promise<KluisError> {
  const result = await promise.then(
    () => new Error('expected a rejection, but the call succeeded'),
    (e: unknown) => e,
  );
  if (!KluisError.is(result)) throw result;
  return result;
}

export const MiB = 1024 * 1024;

/**
 * Whether two byte arrays are equal. (`expect(a).toEqual(b)` compares element by element through
 * generic equality, which takes seconds for a few MiB.)
 */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
