import type { AbortOptions, ObjectInfo, Transport } from '../transport';
import type { TransportOp } from '../transport-wrappers/operation';
import { abortableSleep, forward } from '../transport-wrappers/wrapper-kit';

/** Options of {@link withLatency}. */
export interface LatencyOptions {
  /** Delay before each call, in ms: a constant or chosen per call. */
  ms: number | ((op: TransportOp, key: string) => number);
  /** Sleeps `ms` or rejects with `ABORTED` when `signal` fires. Default: a timer. Injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Delays every call of a transport, as a slow network or disk would, to test timeouts, progress
 * reporting and concurrency limits. The delay happens before the call is forwarded and honours
 * the call's `signal` (an abort during the delay rejects with `ABORTED`, nothing reaches storage).
 * A `list` is delayed once, before its first entry.
 *
 * @example
 * ```ts
 * const slow = withLatency(memoryTransport(), { ms: (op) => (op === 'put' ? 50 : 5) });
 * ```
 */
export function withLatency(inner: Transport, options: LatencyOptions): Transport {
  const sleep = options.sleep ?? abortableSleep;
  const delay = (op: TransportOp, key: string, o?: AbortOptions): Promise<void> =>
    sleep(typeof options.ms === 'number' ? options.ms : options.ms(op, key), o?.signal);
  async function* list(prefix: string, o?: AbortOptions): AsyncIterable<ObjectInfo> {
    await delay('list', prefix, o);
    yield* inner.list(prefix, o);
  }
  return {
    ...forward(inner),
    stat: async (key, o) => {
      await delay('stat', key, o);
      return inner.stat(key, o);
    },
    get: async (key, o) => {
      await delay('get', key, o);
      return inner.get(key, o);
    },
    put: async (key, body, o) => {
      await delay('put', key, o);
      return inner.put(key, body, o);
    },
    delete: async (key, o) => {
      await delay('delete', key, o);
      return inner.delete(key, o);
    },
    list,
  };
}
