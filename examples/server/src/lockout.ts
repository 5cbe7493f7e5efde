/** When repeated failed logins lock a key (an account name or a client address) out. */
export interface LockoutPolicy {
  /** Failed logins within `windowMs` that trigger a lockout. Default 5. */
  maxFailures: number;
  /** How far back failures count. Default 15 minutes. */
  windowMs: number;
  /** The first lockout's length; each further one doubles it. Default 1 minute. */
  baseLockMs: number;
  /** The longest lockout. Default 1 hour. */
  maxLockMs: number;
}

/**
 * The defaults of {@link LockoutPolicy}.
 *
 * @example
 * ```ts
 * new LockoutTracker({ ...DEFAULT_LOCKOUT, maxFailures: 10 }, Date.now);
 * ```
 */
export const DEFAULT_LOCKOUT: LockoutPolicy = {
  maxFailures: 5,
  windowMs: 15 * 60_000,
  baseLockMs: 60_000,
  maxLockMs: 60 * 60_000,
};

/** A lockout that has just begun. */
export interface LockoutEvent {
  key: string;
  /** Failed logins that led to it. */
  failures: number;
  /** How many lockouts in a row this key has had, this one included. */
  level: number;
  /** When it ends, milliseconds since the epoch. */
  until: number;
}

interface Entry {
  failures: number[];
  level: number;
  lockedUntil: number;
  lastLockAt: number;
}

const MAX_ENTRIES = 100_000;

/**
 * Counts failed logins per key and locks a key out with exponential back-off (base, 2×base,
 * 4×base … up to max). A key's back-off level falls back to zero after it has been quiet for
 * twice the longest lockout. Failures decay with time only: a successful login does not forget
 * them, or a guesser who spreads guesses between a live client's logins would never be locked
 * out. Memory is bounded: quiet entries are dropped first.
 *
 * @example
 * ```ts
 * const lockout = new LockoutTracker(DEFAULT_LOCKOUT, () => Date.now());
 * const event = lockout.fail('address:192.0.2.7');
 * if (event) alert(event);
 * ```
 */
export class LockoutTracker {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly policy: LockoutPolicy,
    private readonly now: () => number,
  ) {}

  /** When `key`'s lockout ends, or `undefined` if it is not locked out. */
  lockedUntil(key: string): number | undefined {
    const e = this.entries.get(key);
    return e && e.lockedUntil > this.now() ? e.lockedUntil : undefined;
  }

  /** Records a failed login for `key`; returns the lockout it triggers, if any. */
  fail(key: string): LockoutEvent | undefined {
    const t = this.now();
    const p = this.policy;
    let e = this.entries.get(key);
    if (!e) {
      this.makeRoom();
      e = { failures: [], level: 0, lockedUntil: 0, lastLockAt: Number.NEGATIVE_INFINITY };
      this.entries.set(key, e);
    }
    e.failures = e.failures.filter((f) => f > t - p.windowMs);
    e.failures.push(t);
    if (e.failures.length < p.maxFailures || e.lockedUntil > t) return undefined;
    if (t - Math.max(e.lastLockAt, e.lockedUntil) > 2 * p.maxLockMs) e.level = 0;
    const length = Math.min(p.baseLockMs * 2 ** e.level, p.maxLockMs);
    const failures = e.failures.length;
    e.level++;
    e.lockedUntil = t + length;
    e.lastLockAt = t;
    e.failures = [];
    return { key, failures, level: e.level, until: e.lockedUntil };
  }

  private makeRoom(): void {
    if (this.entries.size < MAX_ENTRIES) return;
    const t = this.now();
    for (const [k, e] of this.entries) {
      if (e.lockedUntil <= t && e.failures.every((f) => f <= t - this.policy.windowMs))
        this.entries.delete(k);
    }
    // Still full (a flood of distinct keys): drop the oldest entries.
    for (const k of this.entries.keys()) {
      if (this.entries.size < MAX_ENTRIES) break;
      this.entries.delete(k);
    }
  }
}
