import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KluisError, memoryTransport, type Transport, withLimit, withMetrics, withRetry } from '../src/index';
import { localTransport } from '../src/node/index';
import {
  CONFORMANCE_CASES,
  describeTransportConformance,
  runTransportConformance,
  withFaults,
} from '../src/testing/index';

describeTransportConformance(
  { setup: async () => memoryTransport() },
  { describe, it, expect },
  { name: 'memoryTransport' },
);

/** A factory of local transports, each over a fresh temporary directory, passed through `wrap`. */
function localFactory(wrap: (t: Transport) => Transport = (t) => t) {
  const roots = new Map<Transport, string>();
  return {
    async setup() {
      const root = await mkdtemp(join(tmpdir(), 'kluis-local-'));
      const t = wrap(localTransport({ root }));
      roots.set(t, root);
      return t;
    },
    async teardown(t: Transport) {
      await rm(roots.get(t) ?? '', { recursive: true, force: true });
      roots.delete(t);
    },
  };
}

describeTransportConformance(localFactory(), { describe, it }, { name: 'localTransport', fastCheckRuns: 15 });

// withMetrics and withLimit pass openWriter on: the writer cases run through them for real.
describeTransportConformance(
  localFactory((t) => withMetrics(withLimit(t, 2)).transport),
  { describe, it },
  { name: 'withMetrics(withLimit(localTransport))', skip: ['model', 'scale', 'list'] },
);

// The wrappers must keep a transport conformant (a few retryable faults included).
describeTransportConformance(
  {
    async setup() {
      const faulty = withFaults(memoryTransport(), { failRate: 0.05, seed: 3 });
      return withMetrics(withLimit(withRetry(faulty, { sleep: async () => {} }), 8)).transport;
    },
  },
  { describe, it },
  { name: 'withMetrics(withLimit(withRetry(withFaults(memoryTransport))))', skip: ['large-object'] },
);

describe('runTransportConformance', () => {
  it('runs every case without a test framework and reports them', async () => {
    const seen: string[] = [];
    const result = await runTransportConformance(
      { setup: async () => memoryTransport() },
      {
        largeObjectBytes: 1024,
        manyKeys: 50,
        fastCheckRuns: 5,
        skip: ['scale'],
        onResult: (n) => seen.push(n),
      },
    );
    expect(result.failed).toEqual([]);
    expect(result.skipped).toEqual(['large-object', 'parallel']);
    expect(result.passed).toHaveLength(CONFORMANCE_CASES.length - 2);
    expect(seen).toEqual(result.passed);
  });

  it('catches a transport that ignores ifAbsent and one that returns short ranges', async () => {
    const sloppy = (): Transport => {
      const inner = memoryTransport();
      return {
        ...inner,
        put: (key, body) => inner.put(key, body),
        get: async (key, o) => {
          const body = await inner.get(key);
          return o?.range ? body.slice(o.range.offset, o.range.offset + o.range.length) : body;
        },
      };
    };
    const result = await runTransportConformance(
      { setup: async () => sloppy() },
      { skip: ['scale', 'list-many', 'guards'], fastCheckRuns: 20, seed: 1 },
    );
    const failed = result.failed.map((f) => f.name.split(':')[0]);
    expect(failed).toEqual(
      expect.arrayContaining(['if-absent', 'if-absent-race', 'range-past-end', 'model']),
    );
    expect(failed).not.toContain('put-get');
    const first = result.failed.find((f) => f.name.startsWith('if-absent:'));
    expect(String(first?.error)).toMatch(/ALREADY_EXISTS/);
  });

  it('refuses an unknown case in skip and times out a hanging case', async () => {
    await expect(
      runTransportConformance({ setup: async () => memoryTransport() }, { skip: ['nope'] }),
    ).rejects.toThrow(RangeError);
    const hanging: Transport = { ...memoryTransport(), stat: () => new Promise(() => {}) };
    const groups = [...new Set(CONFORMANCE_CASES.map((c) => c.group))].filter((g) => g !== 'objects');
    const result = await runTransportConformance(
      { setup: async () => hanging },
      {
        skip: [...groups, 'put-get', 'empty-object', 'overwrite', 'delete', 'body-isolation'],
        timeoutMs: 50,
      },
    );
    expect(result.failed.map((f) => String(f.error))).toEqual([
      expect.stringMatching(/no result within 50 ms/),
    ]);
    expect(KluisError.is(result.failed[0]?.error)).toBe(false);
  });
});
