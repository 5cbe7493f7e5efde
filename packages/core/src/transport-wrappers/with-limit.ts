import { Limiter } from '../_limiter';
import type { AbortOptions, ObjectInfo, ObjectWriter, Transport } from '../transport';
import { forward, gated } from './wrapper-kit';

/**
 * Bounds how many calls of `transport` run at once: at most `concurrency` requests are in flight,
 * the rest wait in first-in first-out order. A waiting call whose `signal` fires leaves the queue
 * at once with `ABORTED`; a running call is never abandoned (the transport itself honours the
 * signal), so the bound holds for the storage, not just for the caller.
 *
 * A `list` holds a slot only while it fetches its next entry, not for the whole iteration, so a
 * loop that lists and calls `get` for each key cannot deadlock, even with `concurrency` 1.
 * `capabilities.maxConcurrency` of the result is the smaller of the two bounds. `openWriter` is
 * passed on when `transport` has it: opening, each write and the commit take a slot.
 *
 * Apply it outside {@link withRetry} (`withLimit(withRetry(t), 8)`) to bound calls including their
 * retries, or inside it (`withRetry(withLimit(t, 8))`) so that a call sleeping between attempts
 * frees its slot for others; the second is usually what you want.
 *
 * @example
 * ```ts
 * const transport = withRetry(withLimit(localTransport({ root: '/srv/backup' }), 8));
 * await Promise.all(keys.map((k) => transport.get(k))); // never more than 8 reads at once
 * ```
 */
export function withLimit(transport: Transport, concurrency: number): Transport {
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`withLimit: concurrency must be a positive integer, got ${concurrency}`);
  }
  const limit = new Limiter(concurrency);
  const run = <T>(o: AbortOptions | undefined, task: () => Promise<T>): Promise<T> =>
    gated<T>((fn) => limit.run(fn), o?.signal, task);
  return {
    ...forward(transport),
    capabilities: {
      ...transport.capabilities,
      maxConcurrency: Math.min(transport.capabilities.maxConcurrency, concurrency),
    },
    stat: (key, o) => run(o, () => transport.stat(key, o)),
    get: (key, o) => run(o, () => transport.get(key, o)),
    put: (key, body, o) => run(o, () => transport.put(key, body, o)),
    delete: (key, o) => run(o, () => transport.delete(key, o)),
    list: (prefix, o) => limitedList(transport.list(prefix, o), run, o),
    ...(transport.openWriter ? { openWriter: limitedWriter(transport.openWriter.bind(transport), run) } : {}),
  };
}

/** `openWriter` passed on, with opening, each write and the commit each taking a slot. */
function limitedWriter(open: (o?: AbortOptions) => Promise<ObjectWriter>, run: Runner) {
  return async (o?: AbortOptions): Promise<ObjectWriter> => {
    const w = await run(o, () => open(o));
    let size = 0; // including writes still waiting for a slot
    return {
      get size() {
        return size;
      },
      // The writer places each piece when it is called, so calls made in order through the
      // first-in first-out queue keep their order.
      write: (bytes) => {
        size += bytes.length;
        return run(undefined, () => w.write(bytes));
      },
      commit: (key, co) => run(co, () => w.commit(key, co)),
      abort: () => w.abort(),
    };
  };
}

type Runner = <T>(o: AbortOptions | undefined, task: () => Promise<T>) => Promise<T>;

async function* limitedList(
  source: AsyncIterable<ObjectInfo>,
  run: Runner,
  o: AbortOptions | undefined,
): AsyncIterable<ObjectInfo> {
  const it = source[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      const step = await run(o, () => it.next());
      if (step.done) {
        done = true;
        return;
      }
      yield step.value;
    }
  } finally {
    if (!done) await it.return?.();
  }
}
