import type { AccountStore } from './accounts.ts';

/** Bytes held back for an upload in progress; settle it exactly once. */
export interface Reservation {
  /** The upload was stored: the bytes become used. */
  commit(): void;
  /** The upload failed or was refused: the bytes are free again. */
  release(): void;
}

/** An account's capacity figures. */
export interface Usage {
  used: number;
  reserved: number;
  /** `undefined`: unlimited. */
  quota: number | undefined;
}

/**
 * Per-account capacity accounting. An upload first reserves its declared size; the check and the
 * reservation happen in one synchronous step, so concurrent uploads can never together pass the
 * quota. The reservation becomes usage when the object is stored and is released otherwise.
 * The quota is read from the database on every reservation, so `quota set` applies at once.
 *
 * @example
 * ```ts
 * const r = ledger.reserve('alice', 4 << 20);
 * if (!r) return new Response(null, { status: 507 });
 * try { await store(); r.commit(); } catch (e) { r.release(); throw e; }
 * ```
 */
export class QuotaLedger {
  private readonly used = new Map<string, number>();
  private readonly reserved = new Map<string, number>();

  constructor(private readonly accounts: AccountStore) {}

  /** Sets the bytes stored in `area` (from a scan of the storage at start). */
  setUsed(area: string, bytes: number): void {
    this.used.set(area, bytes);
    this.accounts.setUsed(area, bytes);
  }

  /** Current figures for `area`. */
  usage(area: string): Usage {
    return {
      used: this.usedOf(area),
      reserved: this.reserved.get(area) ?? 0,
      quota: this.accounts.get(area)?.quotaBytes,
    };
  }

  /** Reserves `size` bytes in `area`, or returns `undefined` if that would pass its quota. */
  reserve(area: string, size: number): Reservation | undefined {
    const { used, reserved, quota } = this.usage(area);
    if (quota !== undefined && used + reserved + size > quota) return undefined;
    this.reserved.set(area, reserved + size);
    let settled = false;
    const settle = (stored: boolean) => {
      if (settled) return;
      settled = true;
      this.reserved.set(area, (this.reserved.get(area) ?? 0) - size);
      if (stored) this.add(area, size);
    };
    return { commit: () => settle(true), release: () => settle(false) };
  }

  /** An object of `size` bytes was removed from `area`. */
  removed(area: string, size: number): void {
    this.add(area, -size);
  }

  private usedOf(area: string): number {
    let u = this.used.get(area);
    if (u === undefined) {
      u = this.accounts.get(area)?.usedBytes ?? 0;
      this.used.set(area, u);
    }
    return u;
  }

  private add(area: string, delta: number): void {
    const next = Math.max(0, this.usedOf(area) + delta);
    this.used.set(area, next);
    this.accounts.setUsed(area, next);
  }
}
