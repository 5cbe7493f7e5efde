import type { Sql } from './sql.ts';

/** Bytes held back for an upload in progress; settle it exactly once. */
export interface Reservation {
  /** The upload was stored: the bytes become used. */
  commit(): Promise<void>;
  /** The upload failed or was refused: the bytes are free again. */
  release(): Promise<void>;
}

/** An account's capacity figures. */
export interface Usage {
  used: number;
  reserved: number;
  /** `undefined`: unlimited. */
  quota: number | undefined;
}

/**
 * A reservation older than this is taken to be left by a server that died mid-upload and no
 * longer counts (no upload takes longer: the server's request timeouts are far shorter).
 */
export const STALE_RESERVATION_MS = 60 * 60_000;

/**
 * Per-account capacity accounting, in the database so that every server node shares it. An
 * upload first reserves its declared size: the check and the reservation are one transaction
 * that locks the account's row, so concurrent uploads, on one node or several, can never together
 * pass the quota. The reservation becomes usage when the object is stored (one transaction:
 * delete the reservation, add its bytes) and is released otherwise. The quota is read on every
 * reservation, so `quota set` applies at once.
 *
 * @example
 * ```ts
 * const r = await ledger.reserve('alice', 4 << 20);
 * if (!r) return new Response(null, { status: 507 });
 * try { await store(); await r.commit(); } catch (e) { await r.release(); throw e; }
 * ```
 */
export class QuotaLedger {
  /**
   * @param node this server node's name, recorded with its reservations so that the node, when
   *   restarted after a crash, can drop the reservations of uploads that died with it.
   */
  constructor(
    private readonly sql: Sql,
    private readonly now: () => number,
    private readonly node = '',
  ) {}

  /** Sets the bytes stored in `area` (from a scan of the storage). */
  async setUsed(area: string, bytes: number): Promise<void> {
    await this.sql.run('UPDATE accounts SET used_bytes = ? WHERE name = ?', [bytes, area]);
  }

  /** Current figures for `area`. */
  async usage(area: string): Promise<Usage> {
    const row = await this.sql.get<{ used: number; quota: number | null; reserved: number }>(
      `SELECT used_bytes AS used, quota_bytes AS quota,
              (SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) FROM reservations
                WHERE account = ? AND created_at > ?) AS reserved
         FROM accounts WHERE name = ?`,
      [area, this.now() - STALE_RESERVATION_MS, area],
    );
    return { used: row?.used ?? 0, reserved: Number(row?.reserved ?? 0), quota: row?.quota ?? undefined };
  }

  /** Reserves `size` bytes in `area`, or returns `undefined` if that would pass its quota. */
  async reserve(area: string, size: number): Promise<Reservation | undefined> {
    const t = this.now();
    const id = await this.sql.transaction(async (tx) => {
      const account = await tx.get<{ used: number; quota: number | null }>(
        `SELECT used_bytes AS used, quota_bytes AS quota FROM accounts WHERE name = ?${tx.forUpdate}`,
        [area],
      );
      if (account && account.quota !== null) {
        const r = await tx.get<{ n: number }>(
          'SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) AS n FROM reservations WHERE account = ? AND created_at > ?',
          [area, t - STALE_RESERVATION_MS],
        );
        if (account.used + Number(r?.n ?? 0) + size > account.quota) return undefined;
      }
      const row = await tx.get<{ id: number }>(
        'INSERT INTO reservations (account, bytes, created_at, node) VALUES (?, ?, ?, ?) RETURNING id',
        [area, size, t, this.node],
      );
      return row!.id;
    });
    if (id === undefined) return undefined;
    let settled = false;
    const settle = async (stored: boolean) => {
      if (settled) return;
      settled = true;
      await this.sql.transaction(async (tx) => {
        const gone = await tx.run('DELETE FROM reservations WHERE id = ?', [id]);
        if (stored && gone.changes === 1)
          await tx.run('UPDATE accounts SET used_bytes = used_bytes + ? WHERE name = ?', [size, area]);
      });
    };
    return { commit: () => settle(true), release: () => settle(false) };
  }

  /** An object of `size` bytes was removed from `area`. */
  async removed(area: string, size: number): Promise<void> {
    await this.sql.run(
      'UPDATE accounts SET used_bytes = CASE WHEN used_bytes > ? THEN used_bytes - ? ELSE 0 END WHERE name = ?',
      [size, size, area],
    );
  }

  /**
   * Sets `area`'s usage to `count()` (a listing of the storage) unless the account changed while
   * it was counted: with other server nodes running, an upload in progress or settled meanwhile
   * would make the count stale, so the figure the nodes keep is left as it is. Returns whether the
   * count was taken.
   */
  async recount(area: string, count: () => Promise<number>): Promise<boolean> {
    const live = this.now() - STALE_RESERVATION_MS;
    const snapshot = (sql: Sql, lock = '') =>
      sql.get<{ used: number; pending: number; last: number | null }>(
        `SELECT used_bytes AS used,
                (SELECT CAST(COUNT(*) AS BIGINT) FROM reservations WHERE account = ? AND created_at > ?) AS pending,
                (SELECT MAX(id) FROM reservations) AS last
           FROM accounts WHERE name = ?${lock}`,
        [area, live, area],
      );
    const before = await snapshot(this.sql);
    if (!before || Number(before.pending) > 0) return false;
    const bytes = await count();
    return this.sql.transaction(async (tx) => {
      const after = await snapshot(tx, tx.forUpdate);
      const same =
        after !== undefined &&
        Number(after.pending) === 0 &&
        after.used === before.used &&
        (after.last ?? 0) === (before.last ?? 0);
      if (same) await tx.run('UPDATE accounts SET used_bytes = ? WHERE name = ?', [bytes, area]);
      return same;
    });
  }

  /**
   * Drops the reservations this node made before it (re)started: their uploads died with the
   * previous process. Other nodes' reservations are left alone.
   */
  async dropOwnReservations(): Promise<number> {
    return (await this.sql.run('DELETE FROM reservations WHERE node = ?', [this.node])).changes;
  }

  /** Drops every reservation (a single server starting: none of them is in progress). */
  async clearReservations(): Promise<void> {
    await this.sql.run('DELETE FROM reservations');
  }
}
