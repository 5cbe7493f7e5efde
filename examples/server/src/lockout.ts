import type { Sql } from './sql.ts';

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

interface Row {
  failures: string;
  level: number;
  locked_until: number;
  last_lock_at: number | null;
}

/** Every this many recorded failures, entries quiet for long enough are deleted. */
const PRUNE_EVERY = 256;

/**
 * Counts failed logins per key and locks a key out with exponential back-off (base, 2×base,
 * 4×base … up to max). A key's back-off level falls back to zero after it has been quiet for
 * twice the longest lockout. Failures decay with time only: a successful login does not forget
 * them, or a guesser who spreads guesses between a live client's logins would never be locked
 * out. The counts live in the database (`lockouts`), so every server node sees the same counts
 * and a guesser spreading attempts over nodes is locked out as if there were one; each failure is
 * counted in one transaction on the key's row. Entries quiet for longer than the window and twice
 * the longest lockout are deleted from time to time.
 *
 * @example
 * ```ts
 * const lockout = new LockoutTracker(sql, DEFAULT_LOCKOUT, () => Date.now());
 * const event = await lockout.fail('address:192.0.2.7');
 * if (event) alert(event);
 * ```
 */
export class LockoutTracker {
  private failuresSincePrune = 0;

  constructor(
    private readonly sql: Sql,
    private readonly policy: LockoutPolicy,
    private readonly now: () => number,
  ) {}

  /** When `key`'s lockout ends, or `undefined` if it is not locked out. */
  async lockedUntil(key: string): Promise<number | undefined> {
    const row = await this.sql.get<{ locked_until: number }>(
      'SELECT locked_until FROM lockouts WHERE key = ?',
      [key],
    );
    return row && row.locked_until > this.now() ? row.locked_until : undefined;
  }

  /** Records a failed login for `key`; returns the lockout it triggers, if any. */
  async fail(key: string): Promise<LockoutEvent | undefined> {
    const t = this.now();
    const p = this.policy;
    const event = await this.sql.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO lockouts (key, failures, level, locked_until, last_lock_at, touched_at)
         VALUES (?, '[]', 0, 0, NULL, ?) ON CONFLICT (key) DO NOTHING`,
        [key, t],
      );
      const row = (await tx.get<Row>(`SELECT * FROM lockouts WHERE key = ?${tx.forUpdate}`, [key]))!;
      let failures = (JSON.parse(row.failures) as number[]).filter((f) => f > t - p.windowMs);
      failures.push(t);
      let { level, locked_until: lockedUntil } = row;
      let lastLockAt = row.last_lock_at ?? Number.NEGATIVE_INFINITY;
      let ev: LockoutEvent | undefined;
      if (failures.length >= p.maxFailures && lockedUntil <= t) {
        if (t - Math.max(lastLockAt, lockedUntil) > 2 * p.maxLockMs) level = 0;
        const length = Math.min(p.baseLockMs * 2 ** level, p.maxLockMs);
        level++;
        lockedUntil = t + length;
        lastLockAt = t;
        ev = { key, failures: failures.length, level, until: lockedUntil };
        failures = [];
      }
      await tx.run(
        'UPDATE lockouts SET failures = ?, level = ?, locked_until = ?, last_lock_at = ?, touched_at = ? WHERE key = ?',
        [
          JSON.stringify(failures),
          level,
          lockedUntil,
          Number.isFinite(lastLockAt) ? lastLockAt : null,
          t,
          key,
        ],
      );
      return ev;
    });
    if (++this.failuresSincePrune >= PRUNE_EVERY) {
      this.failuresSincePrune = 0;
      const quiet = t - Math.max(p.windowMs, 2 * p.maxLockMs);
      await this.sql.run('DELETE FROM lockouts WHERE touched_at < ? AND locked_until < ?', [quiet, quiet]);
    }
    return event;
  }
}
