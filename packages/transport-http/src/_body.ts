/** The body of an upload, or why it could not be read completely. */
export type BodyResult =
  | { ok: true; bytes: Uint8Array<ArrayBuffer> }
  | { ok: false; read: number; reason: string };

/** The first buffer of an upload; it doubles as bytes arrive, up to the declared length. */
const FIRST_BUFFER = 64 * 1024;

/**
 * Reads exactly `length` bytes of a request body, and never more: a body that is longer, shorter
 * (a truncated upload) or that fails mid-way is reported as not ok, so the caller stores nothing.
 * Memory follows the bytes that actually arrived, not the declared length: the buffer starts
 * small and doubles (never past `length`), so a client that declares a large body and stalls
 * holds little. A complete body ends in a buffer of exactly `length` bytes.
 */
export async function readExactBody(
  body: ReadableStream<Uint8Array> | null,
  length: number,
): Promise<BodyResult> {
  if (body === null) {
    return length === 0
      ? { ok: true, bytes: new Uint8Array(0) }
      : { ok: false, read: 0, reason: 'the request has no body' };
  }
  let bytes = new Uint8Array(Math.min(length, FIRST_BUFFER));
  const reader = body.getReader();
  let read = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (read + value.length > length) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, read, reason: `the body is longer than its Content-Length ${length}` };
      }
      if (read + value.length > bytes.length) bytes = grow(bytes, read, read + value.length, length);
      bytes.set(value, read);
      read += value.length;
    }
  } catch {
    return { ok: false, read, reason: `the upload broke off after ${read} of ${length} bytes` };
  } finally {
    reader.releaseLock();
  }
  if (read !== length) return { ok: false, read, reason: `the body has ${read} of ${length} bytes` };
  return { ok: true, bytes };
}

/** A buffer of at least `need` bytes (doubling, at most `limit`) holding the first `used` of `bytes`. */
function grow(bytes: Uint8Array<ArrayBuffer>, used: number, need: number, limit: number) {
  const next = new Uint8Array(Math.min(limit, Math.max(need, bytes.length * 2)));
  next.set(bytes.subarray(0, used));
  return next;
}

/**
 * Runs tasks with the same name one after another (in arrival order) and tasks with different
 * names concurrently. The handler serialises the check-and-change of one object this way, so quota
 * hooks see each delete exactly once even when clients race.
 */
export function keyedMutex(): <T>(name: string, task: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return async (name, task) => {
    const previous = tails.get(name) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(name, tail);
    try {
      return await run;
    } finally {
      if (tails.get(name) === tail) tails.delete(name);
    }
  };
}
