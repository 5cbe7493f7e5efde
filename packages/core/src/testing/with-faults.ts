import { KluisError } from '../errors';
import type { AbortOptions, ObjectInfo, Transport } from '../transport';
import type { TransportOp } from '../transport-wrappers/operation';
import { forward } from '../transport-wrappers/wrapper-kit';
import { prng } from './_prng';

/** Options of {@link withFaults}. */
export interface FaultOptions {
  /** Probability in [0, 1] that a call fails, drawn from the seeded generator. Default 0. */
  failRate?: number;
  /** Fails the calls this returns true for (in addition to `failRate`); `call` counts from 1. */
  failOn?: (op: TransportOp, key: string, call: number) => boolean;
  /** The error of a failing call. Default: a retryable `UNAVAILABLE` KluisError naming the call. */
  error?: (op: TransportOp, key: string) => Error;
  /**
   * Simulate a connection dropped mid-upload: a failing `put` is started on the wrapped transport
   * and aborted while in flight, then rejects with the error. A transport honouring atomicity
   * stores nothing (or, if the put had already committed, the whole object: a lost response).
   * When false (default), a failing `put` never reaches the wrapped transport.
   */
  truncateWrites?: boolean;
  /** A failing `list` first yields this many entries, then throws (a listing cut off). Default 0. */
  failListAfter?: number;
  /** Seed of the generator behind `failRate`; the same seed gives the same faults. Default 1. */
  seed?: number;
}

/** One injected fault. */
export interface InjectedFault {
  readonly op: TransportOp;
  readonly key: string;
  readonly call: number;
}

/** A transport with faults, and a switch for them. */
export interface FaultyTransport extends Transport {
  /** Set to false to let every call through (e.g. to check the state after a faulty phase). */
  enabled: boolean;
  /** The faults injected so far, in order. */
  readonly injected: readonly InjectedFault[];
}

/**
 * Wraps a transport so that chosen calls fail, reproducibly: to test retries, error handling and
 * atomicity of code that uses a transport (or of the transport itself, with `truncateWrites`).
 * A failing call rejects with `error` (a retryable `UNAVAILABLE` by default) instead of reaching
 * the wrapped transport; calls that do not fail are forwarded unchanged.
 *
 * @example
 * ```ts
 * const flaky = withFaults(memoryTransport(), { failRate: 0.3, seed: 7 });
 * const transport = withRetry(flaky, { sleep: async () => {} });
 * await transport.put('config', bytes); // succeeds after injected failures
 * flaky.injected.length; // how many calls failed
 * ```
 */
export function withFaults(inner: Transport, options: FaultOptions = {}): FaultyTransport {
  const rate = options.failRate ?? 0;
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`withFaults: failRate must be in [0, 1], got ${rate}`);
  const random = prng(options.seed ?? 1);
  const injected: InjectedFault[] = [];
  let calls = 0;
  const self: FaultyTransport = {
    ...forward(inner),
    enabled: true,
    injected,
    stat: (key, o) => (fails('stat', key) ? Promise.reject(fault('stat', key)) : inner.stat(key, o)),
    get: (key, o) => (fails('get', key) ? Promise.reject(fault('get', key)) : inner.get(key, o)),
    delete: (key, o) => (fails('delete', key) ? Promise.reject(fault('delete', key)) : inner.delete(key, o)),
    put: (key, body, o) => {
      if (!fails('put', key)) return inner.put(key, body, o);
      return options.truncateWrites
        ? dropMidUpload(inner, key, body, fault('put', key))
        : Promise.reject(fault('put', key));
    },
    list: (prefix, o) =>
      fails('list', prefix)
        ? cutList(inner, prefix, o, options.failListAfter ?? 0, fault('list', prefix))
        : inner.list(prefix, o),
  };
  function fails(op: TransportOp, key: string): boolean {
    const call = ++calls;
    const draw = random();
    if (!self.enabled) return false;
    if (!(draw < rate || options.failOn?.(op, key, call))) return false;
    injected.push({ op, key, call });
    return true;
  }
  function fault(op: TransportOp, key: string): Error {
    return options.error?.(op, key) ?? new KluisError('UNAVAILABLE', `injected fault: ${op} ${key}`);
  }
  return self;
}

async function dropMidUpload(inner: Transport, key: string, body: Uint8Array, error: Error): Promise<never> {
  const controller = new AbortController();
  const pending = inner.put(key, body, { signal: controller.signal });
  controller.abort(error);
  await pending.catch(() => undefined);
  throw error;
}

async function* cutList(
  inner: Transport,
  prefix: string,
  o: AbortOptions | undefined,
  after: number,
  error: Error,
): AsyncIterable<ObjectInfo> {
  let yielded = 0;
  if (after > 0) {
    for await (const info of inner.list(prefix, o)) {
      yield info;
      if (++yielded >= after) break;
    }
  }
  throw error;
}
