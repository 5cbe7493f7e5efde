import { describe, expect, it } from 'vitest';
import { eachLimited, Limiter } from '../src/_limiter';

const turn = () => new Promise<void>((r) => setImmediate(r));

describe('Limiter', () => {
  it('run: at most `size` tasks at once, started first come first served, each settling as its task', async () => {
    const limiter = new Limiter(3);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        limiter.run(async () => {
          started.push(i);
          most = Math.max(most, ++running);
          await turn();
          running--;
          if (i === 4) throw new Error('four');
          return i * 2;
        }),
      ),
    );
    expect(most).toBe(3);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      0,
      2,
      4,
      6,
      'four',
      10,
      12,
      14,
      16,
      18,
    ]);
    await limiter.idle();
    expect(limiter.acquire()).toBeUndefined(); // every slot was given back, failures included
  });

  it('start: the producer waits for a free slot (backpressure), idle waits for everything started', async () => {
    const limiter = new Limiter(2);
    const release: (() => void)[] = [];
    const done: number[] = [];
    let producerAt = 0;
    const producer = (async () => {
      for (let i = 0; i < 5; i++) {
        await limiter.start(async () => {
          await new Promise<void>((r) => release.push(r));
          done.push(i);
        });
        producerAt = i + 1;
      }
    })();
    await turn();
    expect(producerAt).toBe(2); // two started, the third waits for a slot
    release.shift()!();
    await turn();
    expect(producerAt).toBe(3);
    let idle = false;
    const idled = limiter.idle().then(() => {
      idle = true;
    });
    while (release.length > 0 || producerAt < 5) {
      release.shift()?.();
      await turn();
    }
    await producer;
    await idled;
    expect(idle).toBe(true);
    expect(done.sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('start: a task that throws before it returns its promise frees its slot and the throw reaches the caller', async () => {
    const limiter = new Limiter(1);
    await expect(
      limiter.start(() => {
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    expect(limiter.acquire()).toBeUndefined();
  });
});

describe('eachLimited', () => {
  it('runs at most `limit` at once and rethrows the first failure after the others settle', async () => {
    let running = 0;
    let most = 0;
    const settled: number[] = [];
    const err = await eachLimited([1, 2, 3, 4, 5, 6], 2, async (n) => {
      most = Math.max(most, ++running);
      await new Promise<void>((r) => setImmediate(r));
      running--;
      settled.push(n);
      if (n === 3) throw new Error('three');
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('three');
    expect(most).toBe(2);
    expect(running).toBe(0);
    expect(settled).not.toContain(6);
  });
});
