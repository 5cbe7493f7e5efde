import { describe, expect, it } from 'vitest';
import { LockoutTracker } from '../src/lockout.ts';

const policy = { maxFailures: 3, windowMs: 60_000, baseLockMs: 10_000, maxLockMs: 40_000 };

describe('lockout', () => {
  it('locks after maxFailures within the window, with doubling back-off up to the maximum', () => {
    let now = 0;
    const t = new LockoutTracker(policy, () => now);
    const lengths: number[] = [];
    for (let round = 0; round < 4; round++) {
      expect(t.fail('k')).toBeUndefined();
      expect(t.fail('k')).toBeUndefined();
      const ev = t.fail('k');
      expect(ev?.level).toBe(round + 1);
      lengths.push(ev!.until - now);
      expect(t.lockedUntil('k')).toBe(ev!.until);
      now = ev!.until;
      expect(t.lockedUntil('k')).toBeUndefined();
    }
    expect(lengths).toEqual([10_000, 20_000, 40_000, 40_000]);
  });

  it('forgets failures older than the window', () => {
    let now = 0;
    const t = new LockoutTracker(policy, () => now);
    t.fail('k');
    t.fail('k');
    now += 60_001;
    expect(t.fail('k')).toBeUndefined();
  });

  it('resets the back-off after a long quiet period only', () => {
    let now = 0;
    const t = new LockoutTracker(policy, () => now);
    const lockOnce = () => {
      t.fail('k');
      t.fail('k');
      return t.fail('k')!;
    };
    expect(lockOnce().level).toBe(1);
    now += 10_000 + 2 * 40_000 + 1;
    expect(lockOnce().level).toBe(1);
    now += 10_000;
    expect(lockOnce().level).toBe(2);
  });

  it('keeps keys apart', () => {
    const t = new LockoutTracker(policy, () => 0);
    t.fail('a');
    t.fail('a');
    t.fail('a');
    expect(t.lockedUntil('a')).toBeDefined();
    expect(t.lockedUntil('b')).toBeUndefined();
  });
});
