import { type ErrorCode, KluisError } from '../errors';

/** Thrown by the suite's own checks; its message says what the transport did wrong. */
export class ConformanceError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConformanceError';
  }
}

/** Fails with `message` unless `condition` holds (pass a function when the message is costly). */
export function check(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new ConformanceError(typeof message === 'string' ? message : message());
}

/** Fails unless the two byte arrays are equal, naming the first differing offset. */
export function checkBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  check(actual instanceof Uint8Array, () => `${what}: expected a Uint8Array, got ${describe(actual)}`);
  check(
    actual.length === expected.length,
    `${what}: expected ${expected.length} bytes, got ${actual.length}`,
  );
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) {
      throw new ConformanceError(
        `${what}: bytes differ at offset ${i} (${actual[i]} instead of ${expected[i]})`,
      );
    }
  }
}

/** Runs `fn` (sync throw or rejection both count) and returns what it threw; fails if nothing. */
export async function thrown(fn: () => unknown, what: string, expected = 'an error'): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new ConformanceError(`${what}: expected ${expected}, but it succeeded`);
}

/** Fails unless `fn` throws a `KluisError` with `code`; returns it. */
export async function rejectsWith(fn: () => unknown, code: ErrorCode, what: string): Promise<KluisError> {
  const e = await thrown(fn, what, `KluisError ${code}`);
  if (!KluisError.is(e, code)) {
    throw new ConformanceError(`${what}: expected KluisError ${code}, got ${describe(e)}`, { cause: e });
  }
  return e;
}

/** Fails unless `fn` throws an error of class `type` (e.g. `TypeError`), not a KluisError. */
export async function rejectsWithClass(
  fn: () => unknown,
  type: typeof TypeError | typeof RangeError,
  what: string,
): Promise<void> {
  const e = await thrown(fn, what, type.name);
  check(e instanceof type, () => `${what}: expected ${type.name}, got ${describe(e)}`);
}

/** Every entry of a listing, failing on a duplicate key. */
export async function listAll(iterable: AsyncIterable<{ key: string; size: number }>, what: string) {
  const seen = new Map<string, number>();
  for await (const { key, size } of iterable) {
    check(!seen.has(key), `${what}: key ${key} listed twice`);
    seen.set(key, size);
  }
  return seen;
}

/** Fails unless a listing has exactly the `expected` keys with their sizes. */
export function checkListing(actual: Map<string, number>, expected: Map<string, number>, what: string): void {
  for (const [key, size] of expected) {
    check(actual.has(key), `${what}: ${key} missing from the listing`);
    check(actual.get(key) === size, `${what}: ${key} listed with size ${actual.get(key)}, expected ${size}`);
  }
  for (const key of actual.keys()) check(expected.has(key), `${what}: unexpected key ${key} in the listing`);
}

/** A short description of a thrown value for failure messages. */
export function describe(e: unknown): string {
  if (KluisError.is(e)) return `KluisError ${e.code} (${e.message})`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `${typeof e} ${String(e).slice(0, 200)}`;
}
