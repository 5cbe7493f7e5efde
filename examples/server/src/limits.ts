/** Limits that keep one client, or many, from exhausting the server's sockets and memory. */
export interface ServerLimits {
  /** Open connections from one client address; more are closed at once. Default 64. */
  connectionsPerAddress: number;
  /** Open connections in total (Node's `server.maxConnections`). Default 4096. */
  maxConnections: number;
  /** Time a client has to send its request head (Node's `headersTimeout`). Default 10 s. */
  headersTimeoutMs: number;
  /** Time a client has to send a whole request, body included (Node's `requestTimeout`). Default 300 s. */
  requestTimeoutMs: number;
  /** Uploads in progress per account; more are answered 429 with `Retry-After`. Default 8. */
  uploadsPerAccount: number;
  /** Uploads in progress in total; more are answered 503 with `Retry-After`. Default 64. */
  uploads: number;
  /**
   * Bytes of upload bodies held in memory at once, counted by declared size; an upload that would
   * pass it is answered 503 with `Retry-After`. Default 512 MiB.
   */
  uploadBufferBytes: number;
}

/**
 * The defaults of {@link ServerLimits}.
 *
 * @example
 * ```ts
 * const limits: ServerLimits = { ...DEFAULT_LIMITS, connectionsPerAddress: 16 };
 * ```
 */
export const DEFAULT_LIMITS: ServerLimits = {
  connectionsPerAddress: 64,
  maxConnections: 4096,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 300_000,
  uploadsPerAccount: 8,
  uploads: 64,
  uploadBufferBytes: 512 * 2 ** 20,
};

/** Why {@link UploadGate.enter} refused an upload. */
export interface UploadRefusal {
  /** 429 for the account's own limit, 503 for the server's. */
  status: 429 | 503;
  message: string;
}

/** An upload admitted by {@link UploadGate.enter}; `leave` exactly once when it ends. */
export interface UploadTicket {
  leave(): void;
}

/**
 * Counts the uploads in progress, per account and in total, and the bytes their bodies may hold,
 * and refuses an upload that would pass a limit, before its body is read. Bodies are read into
 * memory before they are verified and stored, so these limits bound the server's memory.
 *
 * @example
 * ```ts
 * const gate = new UploadGate(DEFAULT_LIMITS);
 * const t = gate.enter('alice', 16 << 20);
 * if ('status' in t) return refuse(t);
 * try { await store(); } finally { t.leave(); }
 * ```
 */
export class UploadGate {
  private readonly perAccount = new Map<string, number>();
  private count = 0;
  private bytes = 0;

  constructor(
    private readonly limits: Pick<ServerLimits, 'uploadsPerAccount' | 'uploads' | 'uploadBufferBytes'>,
  ) {}

  /** Admits an upload of `size` bytes into `area`, or says why not. */
  enter(area: string, size: number): UploadTicket | UploadRefusal {
    const mine = this.perAccount.get(area) ?? 0;
    if (mine >= this.limits.uploadsPerAccount) {
      return { status: 429, message: `too many uploads at once for account ${area}: retry later` };
    }
    if (this.count >= this.limits.uploads || this.bytes + size > this.limits.uploadBufferBytes) {
      return { status: 503, message: 'the server is busy with other uploads: retry later' };
    }
    this.perAccount.set(area, mine + 1);
    this.count++;
    this.bytes += size;
    let left = false;
    return {
      leave: () => {
        if (left) return;
        left = true;
        const n = (this.perAccount.get(area) ?? 1) - 1;
        if (n === 0) this.perAccount.delete(area);
        else this.perAccount.set(area, n);
        this.count--;
        this.bytes -= size;
      },
    };
  }

  /** Uploads in progress and the bytes reserved for their bodies. */
  get active(): { uploads: number; bytes: number } {
    return { uploads: this.count, bytes: this.bytes };
  }
}
