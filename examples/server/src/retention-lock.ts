import type { AccountStore } from './accounts.ts';
import type { Db } from './db.ts';
import { RETAINED_TYPES } from './matrix.ts';

const DAY_MS = 86_400_000;

/** Why the retention lock refuses a delete. */
export interface RetentionRefusal {
  /** When the object was stored (milliseconds since the epoch). */
  storedAt: number;
  /** When its protection ends. */
  until: number;
  /** One line for the client and the log. */
  message: string;
}

/**
 * The retention lock: the time each object was stored, kept by the server (never by a client),
 * and the rule that an object of a {@link RETAINED_TYPES} type younger than its account's
 * protected days cannot be deleted except by an admin. An existing object with no recorded time
 * (stored before the server kept times, or placed in the storage by other means) counts as stored
 * when the lock is first asked about it, so it is protected rather than exposed.
 *
 * @example
 * ```ts
 * const lock = new RetentionLock(db, accounts, Date.now);
 * lock.stored('alice/laptop', 'snapshots/4f…');
 * const refusal = lock.check('alice', 'alice/laptop', 'snapshots/4f…');
 * ```
 */
export class RetentionLock {
  private readonly getStmt;
  private readonly putStmt;
  private readonly firstSeenStmt;
  private readonly dropStmt;

  constructor(
    db: Db,
    private readonly accounts: AccountStore,
    private readonly now: () => number,
  ) {
    this.getStmt = db.prepare('SELECT stored_at FROM object_times WHERE repo = ? AND key = ?');
    this.putStmt = db.prepare('INSERT OR REPLACE INTO object_times (repo, key, stored_at) VALUES (?, ?, ?)');
    this.firstSeenStmt = db.prepare(
      'INSERT OR IGNORE INTO object_times (repo, key, stored_at) VALUES (?, ?, ?)',
    );
    this.dropStmt = db.prepare('DELETE FROM object_times WHERE repo = ? AND key = ?');
  }

  /** Records that `key` of repository `repo` was stored now. */
  stored(repo: string, key: string): void {
    this.putStmt.run(repo, key, this.now());
  }

  /** Forgets `key` of `repo` (it was deleted). */
  deleted(repo: string, key: string): void {
    this.dropStmt.run(repo, key);
  }

  /** `undefined` when the lock allows deleting the existing object `key` of `repo` in `area`, else why not. */
  check(area: string, repo: string, key: string): RetentionRefusal | undefined {
    const type = key.split('/')[0] ?? '';
    if (!RETAINED_TYPES.has(type)) return undefined;
    const days = this.accounts.get(area)?.protectDays ?? 0;
    if (days === 0) return undefined;
    const t = this.now();
    this.firstSeenStmt.run(repo, key, t);
    const storedAt = (this.getStmt.get(repo, key) as { stored_at: number }).stored_at;
    const until = storedAt + days * DAY_MS;
    if (t >= until) return undefined;
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      storedAt,
      until,
      message:
        `retention lock: ${key} was stored ${iso(storedAt)} and is protected until ${iso(until)} ` +
        `(account ${area} keeps ${days} days); only an admin can delete it sooner`,
    };
  }
}
