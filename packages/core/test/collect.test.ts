import { createCipheriv } from 'node:crypto';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { youngCollector } from '../src/node/_collect';

/** Runs `work`, then counts the young-generation collections V8 reports for that time. */
async function minorCollections(work: () => void): Promise<number> {
  let minor = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  work();
  // GC entries are delivered asynchronously.
  await new Promise((r) => setTimeout(r, 50));
  observer.disconnect();
  return minor;
}

describe('youngCollector', () => {
  it('collects the young generation each time the counted bytes reach the threshold, and only then', async () => {
    const every = youngCollector(1000);
    expect(
      await minorCollections(() => {
        for (let i = 0; i < 20; i++) every(1000);
      }),
    ).toBeGreaterThanOrEqual(20);
    const rarely = youngCollector(1e12);
    expect(
      await minorCollections(() => {
        for (let i = 0; i < 20; i++) rarely(1000);
      }),
    ).toBeLessThan(20);
  });

  it('counts bytes across calls: 4 calls of a quarter make one collection', async () => {
    const collect = youngCollector(4096);
    const n = await minorCollections(() => {
      for (let i = 0; i < 40; i++) collect(1024);
    });
    // 10 forced collections; V8 may add a few of its own, never 40.
    expect(n).toBeGreaterThanOrEqual(10);
    expect(n).toBeLessThan(40);
  });

  it('frees the output buffers of node:crypto as it goes', () => {
    const key = new Uint8Array(32);
    const collect = youngCollector(1 << 20);
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const piece = new Uint8Array(256 << 10);
    // 64 MiB of ciphertext that nobody keeps.
    for (let i = 0; i < 256; i++) {
      const c = createCipheriv('chacha20-poly1305', key, new Uint8Array(12), { authTagLength: 16 });
      const out = c.update(piece);
      c.final();
      collect(out.length);
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }
    expect(peak - before).toBeLessThan(16 << 20);
  });

  it('leaves later contexts without `gc` when the process was started without --expose-gc', () => {
    const exposedAtStart = typeof (globalThis as { gc?: unknown }).gc === 'function';
    youngCollector(1);
    expect(runInNewContext('typeof gc')).toBe(exposedAtStart ? 'function' : 'undefined');
  });
});
