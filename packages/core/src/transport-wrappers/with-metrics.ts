import { type ErrorCode, KluisError } from '../errors';
import type { AbortOptions, ObjectInfo, ObjectWriter, Transport } from '../transport';
import { TRANSPORT_OPS, type TransportOp } from './operation';
import { forward } from './wrapper-kit';

/** Counters of one operation; see {@link TransportMetrics}. */
export interface OperationMetrics {
  /** Calls started (a `list` counts once, when its iteration starts, however many entries it yields). */
  calls: number;
  /** Calls that rejected (for `list`: iterations that threw). */
  errors: number;
  /** Errors by `KluisError` code; anything else (e.g. a `TypeError` for a bad key) as `OTHER`. */
  errorCodes: Partial<Record<ErrorCode | 'OTHER', number>>;
  /** Sum of the durations of settled calls, in ms (a `list` lasts until its iteration ends). */
  totalMs: number;
  /** Longest settled call, in ms. */
  maxMs: number;
}

/** A snapshot of the counters of {@link withMetrics}; a plain object, safe to serialise. */
export interface TransportMetrics {
  /** Per-operation counters. */
  ops: Record<TransportOp, OperationMetrics>;
  /** Bytes returned by successful `get` calls (range reads count their length). */
  bytesRead: number;
  /** Bytes of bodies of successful `put` calls (and of objects committed through `openWriter`). */
  bytesWritten: number;
  /** Entries yielded by `list`. */
  objectsListed: number;
  /** Calls started and not yet settled, at the time of the snapshot. */
  inFlight: number;
}

/**
 * What {@link withMetrics} returns.
 *
 * @example
 * ```ts
 * const metered: MeteredTransport = withMetrics(memoryTransport());
 * await metered.transport.put('config', bytes);
 * metered.metrics().bytesWritten; // bytes.length
 * ```
 */
export interface MeteredTransport {
  /** The counting transport; use it in place of the one you passed in. */
  readonly transport: Transport;
  /** A fresh snapshot of every counter since creation or the last {@link reset}. */
  metrics(): TransportMetrics;
  /** Sets every counter back to zero (calls in flight stay counted in `inFlight`). */
  reset(): void;
}

/** Options of {@link withMetrics}. */
export interface MetricsOptions {
  /** A monotonic clock in ms. Default `performance.now`. Injectable for tests. */
  now?: () => number;
}

/**
 * Counts the calls, errors, durations and bytes of `transport`, per operation, for dashboards,
 * progress reports and tests. Counting is synchronous and cheap; nothing is sent anywhere: read the
 * numbers with `metrics()` whenever you like (e.g. export them from a `/metrics` endpoint).
 * `openWriter` is passed on when `transport` has it; a writer's `commit` counts as a `put`.
 *
 * @example
 * ```ts
 * const { transport, metrics } = withMetrics(localTransport({ root }));
 * await transport.put('config', bytes);
 * const m = metrics();
 * m.ops.put.calls; // 1
 * m.bytesWritten; // bytes.length
 * ```
 */
export function withMetrics(inner: Transport, options: MetricsOptions = {}): MeteredTransport {
  const state: Meter = { m: emptyMetrics(), inFlight: 0, now: options.now ?? (() => performance.now()) };
  const transport: Transport = {
    ...forward(inner),
    stat: (key, o) => track(state, 'stat', () => inner.stat(key, o)),
    get: async (key, o) => {
      const bytes = await track(state, 'get', () => inner.get(key, o));
      state.m.bytesRead += bytes.length;
      return bytes;
    },
    put: async (key, body, o) => {
      await track(state, 'put', () => inner.put(key, body, o));
      state.m.bytesWritten += body.length;
    },
    delete: (key, o) => track(state, 'delete', () => inner.delete(key, o)),
    list: (prefix, o) => meteredList(state, inner, prefix, o),
    ...(inner.openWriter ? { openWriter: meteredWriter(state, inner.openWriter.bind(inner)) } : {}),
  };
  return {
    transport,
    metrics: () => ({ ...structuredClone(state.m), inFlight: state.inFlight }),
    reset: () => {
      state.m = emptyMetrics();
    },
  };
}

/** The mutable state behind one {@link withMetrics}. */
interface Meter {
  m: Counters;
  inFlight: number;
  now: () => number;
}

/** Counts one call; a reset while it runs leaves its numbers with the counters it started with. */
async function track<T>(s: Meter, op: TransportOp, call: () => Promise<T>): Promise<T> {
  const counters = s.m.ops[op];
  counters.calls++;
  s.inFlight++;
  const started = s.now();
  try {
    return await call();
  } catch (e) {
    countError(counters, e);
    throw e;
  } finally {
    s.inFlight--;
    settle(counters, s.now() - started);
  }
}

/**
 * `openWriter` passed on, with each writer's `commit` counted as the `put` it amounts to (its
 * bytes in `bytesWritten` once it succeeds); the writes before it are not counted as calls.
 */
function meteredWriter(s: Meter, open: (o?: AbortOptions) => Promise<ObjectWriter>) {
  return async (o?: AbortOptions): Promise<ObjectWriter> => {
    const w = await open(o);
    return {
      get size() {
        return w.size;
      },
      write: (bytes) => w.write(bytes),
      commit: async (key, co) => {
        const size = w.size;
        await track(s, 'put', () => w.commit(key, co));
        s.m.bytesWritten += size;
      },
      abort: () => w.abort(),
    };
  };
}

async function* meteredList(
  s: Meter,
  inner: Transport,
  prefix: string,
  o?: AbortOptions,
): AsyncIterable<ObjectInfo> {
  const counters = s.m;
  counters.ops.list.calls++;
  s.inFlight++;
  const started = s.now();
  try {
    for await (const info of inner.list(prefix, o)) {
      counters.objectsListed++;
      yield info;
    }
  } catch (e) {
    countError(counters.ops.list, e);
    throw e;
  } finally {
    s.inFlight--;
    settle(counters.ops.list, s.now() - started);
  }
}

type Counters = Omit<TransportMetrics, 'inFlight'>;

function emptyMetrics(): Counters {
  const ops = {} as Record<TransportOp, OperationMetrics>;
  for (const op of TRANSPORT_OPS) ops[op] = { calls: 0, errors: 0, errorCodes: {}, totalMs: 0, maxMs: 0 };
  return { ops, bytesRead: 0, bytesWritten: 0, objectsListed: 0 };
}

function countError(c: OperationMetrics, e: unknown): void {
  c.errors++;
  const code = KluisError.is(e) ? e.code : 'OTHER';
  c.errorCodes[code] = (c.errorCodes[code] ?? 0) + 1;
}

function settle(c: OperationMetrics, ms: number): void {
  c.totalMs += ms;
  if (ms > c.maxMs) c.maxMs = ms;
}
