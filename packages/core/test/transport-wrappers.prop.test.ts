import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryTransport, withRetry } from '../src/index';
import { withFaults } from '../src/testing/index';

describe('withRetry properties', () => {
  it('every backoff delay lies in [0, min(maxDelayMs, minDelayMs · 2ⁿ⁻¹))', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 8 }),
        async (min, extra, r, failures) => {
          const max = min + extra;
          const delays: [number, number][] = [];
          const flaky = withFaults(memoryTransport(), { failOn: (_op, _k, call) => call <= failures });
          const t = withRetry(flaky, {
            retries: 8,
            minDelayMs: min,
            maxDelayMs: max,
            random: () => r,
            sleep: async () => {},
            onRetry: (e) => delays.push([e.attempt, e.delayMs]),
          });
          await t.stat('config');
          expect(delays).toHaveLength(failures);
          for (const [n, ms] of delays) {
            const ceiling = Math.min(max, min * 2 ** (n - 1));
            expect(ms).toBeGreaterThanOrEqual(0);
            expect(ms <= ceiling && (ms < ceiling || ceiling === 0)).toBe(true);
          }
        },
      ),
    );
  });

  it('with enough retries, a flaky store ends in the same state as a reliable one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.array(
          fc.tuple(fc.constantFrom('data/aa', 'data/bb', 'index/cc'), fc.uint8Array({ maxLength: 16 })),
          {
            maxLength: 20,
          },
        ),
        async (seed, writes) => {
          const inner = memoryTransport();
          const t = withRetry(withFaults(inner, { failRate: 0.3, seed }), {
            retries: 30,
            sleep: async () => {},
          });
          const model = new Map<string, Uint8Array>();
          for (const [k, body] of writes) {
            await t.put(k, body);
            model.set(k, body);
          }
          for (const [k, body] of model) expect(await t.get(k)).toEqual(body);
        },
      ),
    );
  });
});
