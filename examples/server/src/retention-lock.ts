import type { AccountStore } from './accounts.ts';
import { RETAINED_TYPES } from './matrix.ts';
import type { Sql } from './sql.ts';

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
 * const lock = new RetentionLock(sql, accounts, Date.now);
 * await lock.stored('alice/laptop', 'snapshots/4f…');
 * const refusal = await lock.check('alice', 'alice/laptop', 'snapshots/4f…');
 * ```
 */
export class RetentionLock {
  constructor(
    private readonly sql: Sql,
    private readonly accounts: AccountStore,
    private readonly now: () => number,
  ) {}

  /** Records that `key` of `repo` was (re)stored now. */
  async stored(repo: string, key: string): Promise<void> {
    await this.sql.run(
      `INSERT INTO object_times (repo, key, stored_at) VALUES (?, ?, ?)
       ON CONFLICT (repo, key) DO UPDATE SET stored_at = excluded.stored_at`,
      [repo, key, this.now()],
    );
  }

  /** Forgets the time of a deleted object. */
  async deleted(repo: string, key: string): Promise<void> {
    await this.sql.run('DELETE FROM object_times WHERE repo = ? AND key = ?', [repo, key]);
  }

  /** Why deleting `key` of `repo` (in account `area`) is refused now, or `undefined` if allowed. */
  async check(area: string, repo: string, key: string): Promise<RetentionRefusal | undefined> {
    const type = key.split('/')[0] ?? '';
    if (!RETAINED_TYPES.has(type)) return undefined;
    const days = (await this.accounts.get(area))?.protectDays ?? 0;
    if (days === 0) return undefined;
    const t = this.now();
    await this.sql.run(
      'INSERT INTO object_times (repo, key, stored_at) VALUES (?, ?, ?) ON CONFLICT (repo, key) DO NOTHING',
      [repo, key, t],
    );
    const row = await this.sql.get<{ stored_at: number }>(
      'SELECT stored_at FROM object_times WHERE repo = ? AND key = ?',
      [repo, key],
    );
    const storedAt = row!.stored_at;
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
