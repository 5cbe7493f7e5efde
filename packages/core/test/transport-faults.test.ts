import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KluisError, memoryTransport, type TransportOp } from '../src/index';
import { type LocalTransport, localTransport } from '../src/node/index';
import { withFaults, withLatency } from '../src/testing/index';

const body = new Uint8Array(64 * 1024).fill(7);

async function settle(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ok',
    (e: unknown) => (KluisError.is(e) ? e.code : String(e)),
  );
}

describe('withFaults', () => {
  it('is deterministic for a seed, and fails about failRate of the calls', async () => {
    const run = async (seed: number) => {
      const t = withFaults(memoryTransport(), { failRate: 0.3, seed });
      const outcomes: string[] = [];
      for (let i = 0; i < 200; i++) outcomes.push(await settle(t.stat(`data/${i}`)));
      return outcomes;
    };
    const a = await run(5);
    expect(await run(5)).toEqual(a);
    expect(await run(6)).not.toEqual(a);
    const failed = a.filter((o) => o === 'UNAVAILABLE').length;
    expect(failed).toBeGreaterThan(35);
    expect(failed).toBeLessThan(85);
  });

  it('fails the calls chosen by failOn with the chosen error, and can be switched off', async () => {
    const inner = memoryTransport();
    const t = withFaults(inner, {
      failOn: (op, key) => op === 'put' && key.startsWith('index/'),
      error: (op, key) => new KluisError('QUOTA', `${op} ${key} over quota`),
    });
    await t.put('data/aa', body);
    expect(await settle(t.put('index/aa', body))).toBe('QUOTA');
    expect(await inner.stat('index/aa')).toBeUndefined();
    expect(t.injected).toEqual([{ op: 'put', key: 'index/aa', call: 2 }]);
    t.enabled = false;
    await t.put('index/aa', body);
    expect((await inner.stat('index/aa'))?.size).toBe(body.length);
    expect(() => withFaults(inner, { failRate: 2 })).toThrow(RangeError);
  });

  it('fails each operation kind, including a list before its first entry', async () => {
    const inner = memoryTransport();
    await inner.put('data/aa', body);
    const t = withFaults(inner, { failOn: () => true });
    const ops: Record<TransportOp, () => Promise<unknown>> = {
      stat: () => t.stat('data/aa'),
      get: () => t.get('data/aa'),
      put: () => t.put('data/bb', body),
      delete: () => t.delete('data/aa'),
      list: async () => {
        for await (const _ of t.list('data/')) throw new Error('listed an entry');
      },
    };
    for (const [op, call] of Object.entries(ops))
      expect([op, await settle(call())]).toEqual([op, 'UNAVAILABLE']);
    expect(await inner.stat('data/aa')).toBeDefined();
  });
});

describe('withFaults truncateWrites (a connection dropped mid-upload)', () => {
  let root: string;
  let local: LocalTransport;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'kluis-faults-'));
    local = localTransport({ root });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('leaves nothing in an atomic local store: no object, no temporary file', async () => {
    const t = withFaults(local, { failOn: (op) => op === 'put', truncateWrites: true });
    for (const key of ['data/aa11', 'index/bb', 'config']) {
      expect(await settle(t.put(key, body))).toBe('UNAVAILABLE');
      expect(await local.stat(key)).toBeUndefined();
    }
    const files = await readdir(root, { recursive: true, withFileTypes: true });
    expect(files.filter((f) => f.isFile())).toEqual([]);
  });

  it('on a store that commits at once, the whole object or nothing is there (a lost response)', async () => {
    const inner = memoryTransport();
    const t = withFaults(inner, { failOn: (op) => op === 'put', truncateWrites: true });
    expect(await settle(t.put('data/aa', body))).toBe('UNAVAILABLE');
    const stored = await inner.get('data/aa').catch(() => undefined);
    if (stored) expect(Buffer.from(stored).equals(body)).toBe(true);
  });
});

describe('withLatency', () => {
  it('delays each call by the chosen time before forwarding it, and honours abort', async () => {
    const slept: [number, boolean][] = [];
    const inner = memoryTransport();
    const t = withLatency(inner, {
      ms: (op) => (op === 'put' ? 40 : 3),
      sleep: async (ms, signal) => {
        slept.push([ms, signal !== undefined]);
        if (signal?.aborted) throw new KluisError('ABORTED', 'aborted');
      },
    });
    await t.put('data/aa', body);
    await t.get('data/aa');
    await t.stat('data/aa');
    for await (const _ of t.list('data/')) {
      // one delay per listing
    }
    await t.delete('data/aa');
    expect(slept).toEqual([
      [40, false],
      [3, false],
      [3, false],
      [3, false],
      [3, false],
    ]);
    const controller = new AbortController();
    controller.abort();
    expect(await settle(t.put('data/bb', body, { signal: controller.signal }))).toBe('ABORTED');
    expect(await inner.stat('data/bb')).toBeUndefined();
  });

  it('uses a real timer by default (0 ms here)', async () => {
    const t = withLatency(memoryTransport(), { ms: 0 });
    await t.put('config', body);
    expect((await t.stat('config'))?.size).toBe(body.length);
  });
});
