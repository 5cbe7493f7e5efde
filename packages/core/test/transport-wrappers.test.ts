import { describe, expect, it } from 'vitest';
import {
  KluisError,
  memoryTransport,
  type RetryEvent,
  type Transport,
  withLimit,
  withMetrics,
  withRetry,
} from '../src/index';
import { withFaults } from '../src/testing/index';
import { sleep, withWriters } from './helpers/writers';

const bytes = (...values: number[]) => new Uint8Array(values);
const unavailable = () => new KluisError('UNAVAILABLE', 'flaky');
const noSleep = { sleep: async () => {} };

async function collect(iterable: AsyncIterable<{ key: string }>): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of iterable) keys.push(key);
  return keys.sort();
}

describe('withRetry', () => {
  it('retries retryable errors with full-jitter exponential backoff, then succeeds', async () => {
    const inner = memoryTransport();
    await inner.put('config', bytes(1, 2));
    const flaky = withFaults(inner, { failOn: (_op, _key, call) => call <= 3 });
    const events: RetryEvent[] = [];
    const slept: number[] = [];
    const t = withRetry(flaky, {
      minDelayMs: 100,
      maxDelayMs: 300,
      random: () => 0.5,
      sleep: async (ms) => void slept.push(ms),
      onRetry: (e) => events.push(e),
    });
    expect(await t.get('config')).toEqual(bytes(1, 2));
    expect(slept).toEqual([50, 100, 150]); // 0.5 × min(300, 100·2ⁿ)
    expect(events.map((e) => [e.op, e.key, e.attempt, e.error.code])).toEqual([
      ['get', 'config', 1, 'UNAVAILABLE'],
      ['get', 'config', 2, 'UNAVAILABLE'],
      ['get', 'config', 3, 'UNAVAILABLE'],
    ]);
  });

  it('waits at least what the storage asked for (retryAfterMs)', async () => {
    const asked = new WeakMap<KluisError, number>();
    const flaky = withFaults(memoryTransport(), {
      failOn: (_op, _key, call) => call <= 2,
      error: () => {
        const e = unavailable();
        asked.set(e, 2500);
        return e;
      },
    });
    const slept: number[] = [];
    const delays: number[] = [];
    const t = withRetry(flaky, {
      random: () => 0.5,
      retryAfterMs: (e) => asked.get(e),
      sleep: async (ms) => void slept.push(ms),
      onRetry: (e) => delays.push(e.delayMs),
    });
    expect(await t.stat('config')).toBeUndefined();
    expect(slept).toEqual([2500, 2500]);
    expect(delays).toEqual(slept);
  });

  it('never retries final errors, and gives up after `retries`', async () => {
    const inner = memoryTransport();
    const notFound = withFaults(inner, { failOn: () => true, error: () => new KluisError('NOT_FOUND', 'x') });
    let calls = 0;
    const t1 = withRetry(notFound, { ...noSleep, onRetry: () => calls++ });
    await expect(t1.get('config')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(calls).toBe(0);
    await expect(withRetry(inner, noSleep).get('../x')).rejects.toThrow(TypeError);
    const down = withFaults(inner, { failOn: () => true });
    await expect(withRetry(down, { ...noSleep, retries: 2 }).stat('config')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    expect(down.injected).toHaveLength(3);
    const plain = withFaults(inner, { failOn: () => true, error: () => new Error('boom') });
    await expect(withRetry(plain, noSleep).delete('config')).rejects.toThrow('boom');
    expect(plain.injected).toHaveLength(1);
  });

  it('honours abort: before the first call and during a backoff sleep', async () => {
    const down = withFaults(memoryTransport(), { failOn: () => true });
    const controller = new AbortController();
    const t = withRetry(down, {
      sleep: async (_ms, signal) => {
        controller.abort();
        if (signal?.aborted) throw new KluisError('ABORTED', 'aborted in sleep');
      },
    });
    await expect(t.put('config', bytes(1), { signal: controller.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    expect(down.injected).toHaveLength(1);
    await expect(t.get('config', { signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(down.injected).toHaveLength(1);
  });

  it('the default sleep is cut short by an abort', async () => {
    const down = withFaults(memoryTransport(), { failOn: () => true });
    const controller = new AbortController();
    const t = withRetry(down, { minDelayMs: 3_600_000, maxDelayMs: 3_600_000, random: () => 0.99 });
    const pending = t.stat('config', { signal: controller.signal });
    await Promise.resolve();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('restarts a listing cut off mid-way and still yields every key exactly once', async () => {
    const inner = memoryTransport();
    const keys = ['data/aa', 'data/bb', 'data/cc', 'data/dd'];
    for (const k of keys) await inner.put(k, bytes(1));
    const cut = withFaults(inner, { failOn: (op, _k, call) => op === 'list' && call <= 2, failListAfter: 2 });
    const yielded: string[] = [];
    for await (const { key } of withRetry(cut, noSleep).list('data/')) yielded.push(key);
    expect(yielded.sort()).toEqual(keys);
    expect(cut.injected).toHaveLength(2);
  });

  it('treats ALREADY_EXISTS after a lost create-only response as success when the bytes are ours', async () => {
    const inner = memoryTransport();
    // The first attempt stores the object, then its response is "lost".
    let first = true;
    const lossy: Transport = {
      ...inner,
      put: async (key, body, o) => {
        await inner.put(key, body, o);
        if (first) {
          first = false;
          throw unavailable();
        }
      },
    };
    const t = withRetry(lossy, noSleep);
    await t.put('locks/aa', bytes(7, 7), { ifAbsent: true });
    expect(await inner.get('locks/aa')).toEqual(bytes(7, 7));
    first = true;
    await inner.put('locks/bb', bytes(1));
    await expect(t.put('locks/bb', bytes(2), { ifAbsent: true })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
  });

  it('validates its options', () => {
    const t = memoryTransport();
    expect(() => withRetry(t, { retries: -1 })).toThrow(RangeError);
    expect(() => withRetry(t, { minDelayMs: 10, maxDelayMs: 5 })).toThrow(RangeError);
  });
});

/** A transport whose calls wait until released, recording how many run at once. */
function gatedTransport() {
  const inner = memoryTransport();
  let inFlight = 0;
  let peak = 0;
  const waiting: (() => void)[] = [];
  const hold = async <T>(fn: () => Promise<T>): Promise<T> => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight--;
    return fn();
  };
  const transport: Transport = {
    ...inner,
    stat: (k, o) => hold(() => inner.stat(k, o)),
    put: (k, b, o) => hold(() => inner.put(k, b, o)),
  };
  const releaseAll = async () => {
    while (waiting.length > 0 || inFlight > 0) {
      waiting.splice(0).forEach((r) => {
        r();
      });
      await new Promise((r) => setImmediate(r));
    }
  };
  return { transport, inner, peak: () => peak, waiting, releaseAll };
}

describe('withLimit', () => {
  it('never has more than N calls in flight', async () => {
    const g = gatedTransport();
    const t = withLimit(g.transport, 3);
    expect(t.capabilities.maxConcurrency).toBe(3);
    const all = Promise.all(
      Array.from({ length: 20 }, (_, i) => t.put(`data/${String(i).padStart(2, '0')}`, bytes(i))),
    );
    await new Promise((r) => setImmediate(r));
    expect(g.waiting).toHaveLength(3);
    await g.releaseAll();
    await all;
    expect(g.peak()).toBe(3);
    expect(await collect(g.inner.list('data/'))).toHaveLength(20);
  });

  it('lets an aborted call leave the queue at once, without running it', async () => {
    const g = gatedTransport();
    const t = withLimit(g.transport, 1);
    const running = t.stat('config');
    const controller = new AbortController();
    const queued = t.put('config', bytes(1), { signal: controller.signal });
    controller.abort();
    await expect(queued).rejects.toMatchObject({ code: 'ABORTED' });
    await g.releaseAll();
    expect(await running).toBeUndefined();
    expect(await g.inner.stat('config')).toBeUndefined();
    await expect(t.stat('config', { signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('does not deadlock a list loop that calls the transport, even with concurrency 1', async () => {
    const inner = memoryTransport();
    for (const k of ['index/aa', 'index/bb', 'index/cc']) await inner.put(k, bytes(9));
    const t = withLimit(inner, 1);
    let read = 0;
    for await (const { key } of t.list('index/')) read += (await t.get(key)).length;
    expect(read).toBe(3);
    expect(() => withLimit(inner, 0)).toThrow(RangeError);
  });
});

describe('withMetrics', () => {
  it('counts calls, errors by code, bytes, listed objects and durations', async () => {
    let clock = 0;
    const { transport: t, metrics, reset } = withMetrics(memoryTransport(), { now: () => (clock += 5) });
    await t.put('data/aa', bytes(1, 2, 3));
    await t.put('data/bb', bytes(4));
    await t.get('data/aa');
    await t.get('data/aa', { range: { offset: 1, length: 1 } });
    await expect(t.get('data/cc')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(t.put('data/aa', bytes(0), { ifAbsent: true })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    await expect(t.stat('../x')).rejects.toThrow(TypeError);
    expect(await collect(t.list('data/'))).toEqual(['data/aa', 'data/bb']);
    await t.delete('data/bb');
    const m = metrics();
    expect(m.ops.put).toEqual({
      calls: 3,
      errors: 1,
      errorCodes: { ALREADY_EXISTS: 1 },
      totalMs: 15,
      maxMs: 5,
    });
    expect(m.ops.get).toMatchObject({ calls: 3, errors: 1, errorCodes: { NOT_FOUND: 1 } });
    expect(m.ops.stat).toMatchObject({ calls: 1, errors: 1, errorCodes: { OTHER: 1 } });
    expect(m.ops.list).toMatchObject({ calls: 1, errors: 0 });
    expect(m.ops.delete.calls).toBe(1);
    expect([m.bytesWritten, m.bytesRead, m.objectsListed, m.inFlight]).toEqual([4, 4, 2, 0]);
    m.ops.put.calls = 99; // a snapshot: mutating it changes nothing
    expect(metrics().ops.put.calls).toBe(3);
    reset();
    expect(metrics().ops.put.calls).toBe(0);
    expect(metrics().bytesWritten).toBe(0);
  });

  it('counts a listing that fails part-way as an error of list', async () => {
    const inner = memoryTransport();
    await inner.put('data/aa', bytes(1));
    await inner.put('data/bb', bytes(1));
    const { transport, metrics } = withMetrics(
      withFaults(inner, { failOn: (op) => op === 'list', failListAfter: 1 }),
    );
    await expect(collect(transport.list('data/'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(metrics().ops.list).toMatchObject({ calls: 1, errors: 1, errorCodes: { UNAVAILABLE: 1 } });
    expect(metrics().objectsListed).toBe(1);
  });
});

describe('wrappers and openWriter', () => {
  const bytes = (n: number, v: number) => new Uint8Array(n).fill(v);

  it('withMetrics passes openWriter on and counts a commit as the put it amounts to', async () => {
    const { transport, metrics } = withMetrics(memoryTransport());
    const w = await transport.openWriter!();
    await Promise.all([w.write(bytes(10, 1)), w.write(bytes(5, 2))]);
    await w.commit('data/ab');
    const m = metrics();
    expect(m.ops.put.calls).toBe(1);
    expect(m.ops.put.errors).toBe(0);
    expect(m.bytesWritten).toBe(15);
    const again = await transport.openWriter!();
    await again.write(bytes(3, 3));
    await expect(again.commit('data/ab', { ifAbsent: true })).rejects.toSatisfy((e) =>
      KluisError.is(e, 'ALREADY_EXISTS'),
    );
    expect(metrics().ops.put.errorCodes.ALREADY_EXISTS).toBe(1);
    expect(metrics().bytesWritten).toBe(15);
    expect(await transport.get('data/ab')).toEqual(new Uint8Array([...bytes(10, 1), ...bytes(5, 2)]));
  });

  it('withLimit passes openWriter on, each write taking a slot, in order', async () => {
    const inner = memoryTransport();
    let inFlight = 0;
    let most = 0;
    const slow = withWriters(inner, {
      write: async (b, w) => {
        most = Math.max(most, ++inFlight);
        const placed = w.write(b); // placed now, in call order
        await sleep(2);
        inFlight--;
        return placed;
      },
    });
    const limited = withLimit(slow, 1);
    const w = await limited.openWriter!();
    const parts = [1, 2, 3, 4, 5].map((v) => bytes(v * 100, v));
    const writes = parts.map((p) => w.write(p));
    expect(w.size).toBe(1500); // counts writes still waiting for a slot
    await Promise.all(writes);
    await w.commit('data/cd');
    expect(most).toBe(1);
    expect(await inner.get('data/cd')).toEqual(new Uint8Array(parts.flatMap((p) => [...p])));
  });

  it('withRetry does not pass openWriter on: a half-written object cannot be retried, a put can', () => {
    expect(withRetry(memoryTransport()).openWriter).toBeUndefined();
    expect(withLimit(withRetry(memoryTransport()), 2).openWriter).toBeUndefined();
  });
});
