import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockoutTracker as Tracker } from '../src/lockout.ts';
import { openStore, type ServerStore } from '../src/store.ts';
import { ENGINES, freshDatabase } from './_engines.ts';

const policy = { maxFailures: 3, windowMs: 60_000, baseLockMs: 10_000, maxLockMs: 40_000 };

describe.each(ENGINES)('lockout on %s', (engine) => {
  let dir: string;
  let store: ServerStore;
  let LockoutTracker: new (p: typeof policy, now: () => number) => import('../src/lockout.ts').LockoutTracker;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kluis-lockout-'));
    store = await openStore(await freshDatabase(engine, dir), () => 0);
    LockoutTracker = class extends Tracker {
      constructor(p: typeof policy, now: () => number) {
        super(store.sql, p, now);
      }
    };
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('locks after maxFailures within the window, with doubling back-off up to the maximum', async () => {
    let now = 0;
    const t = new LockoutTracker(policy, () => now);
    const lengths: number[] = [];
    for (let round = 0; round < 4; round++) {
      expect(await t.fail('k')).toBeUndefined();
      expect(await t.fail('k')).toBeUndefined();
      const ev = await t.fail('k');
      expect(ev?.level).toBe(round + 1);
      lengths.push(ev!.until - now);
      expect(await t.lockedUntil('k')).toBe(ev!.until);
      now = ev!.until;
      expect(await t.lockedUntil('k')).toBeUndefined();
    }
    expect(lengths).toEqual([10_000, 20_000, 40_000, 40_000]);
  });

  it('forgets failures older than the window', async () => {
    let now = 0;
    const t = new LockoutTracker(policy, () => now);
    await t.fail('k');
    await t.fail('k');
    now += 60_001;
    expect(await t.fail('k')).toBeUndefined();
  });

  it('resets the back-off after a long quiet period only', async () => {
    let now = 0;
    const t = new LockoutTracker(policy, () => now);
    const lockOnce = async () => {
      await t.fail('k');
      await t.fail('k');
      return (await t.fail('k'))!;
    };
    expect((await lockOnce()).level).toBe(1);
    now += 10_000 + 2 * 40_000 + 1;
    expect((await lockOnce()).level).toBe(1);
    now += 10_000;
    expect((await lockOnce()).level).toBe(2);
  });

  it('keeps keys apart', async () => {
    const t = new LockoutTracker(policy, () => 0);
    await t.fail('a');
    await t.fail('a');
    await t.fail('a');
    expect(await t.lockedUntil('a')).toBeDefined();
    expect(await t.lockedUntil('b')).toBeUndefined();
  });

  it('shares counts between trackers on one database: guesses spread over nodes still lock out', async () => {
    let now = 0;
    const nodes = [0, 1, 2].map(() => new LockoutTracker(policy, () => now));
    expect(await nodes[0]!.fail('account:alice')).toBeUndefined();
    expect(await nodes[1]!.fail('account:alice')).toBeUndefined();
    const ev = await nodes[2]!.fail('account:alice');
    expect(ev).toMatchObject({ key: 'account:alice', failures: 3, level: 1, until: 10_000 });
    for (const n of nodes) expect(await n.lockedUntil('account:alice')).toBe(10_000);
    now = 10_000;
    // Concurrent failures from every node are each counted once: exactly one lockout results.
    const events = await Promise.all(nodes.flatMap((n) => [n.fail('k2'), n.fail('k2')]));
    expect(events.filter((e) => e !== undefined)).toHaveLength(1);
  });
});
