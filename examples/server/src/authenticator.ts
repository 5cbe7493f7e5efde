import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AccountStore } from './accounts.ts';
import type { LockoutEvent, LockoutTracker } from './lockout.ts';
import { hashPassword, type ScryptParams, verifyPassword } from './password.ts';

/** The outcome of checking a request's credentials. */
export type AuthResult =
  | { ok: true; account: string }
  | { ok: false; status: 401; reason: string | undefined; user: string | undefined }
  | { ok: false; status: 429; retryAfterSeconds: number };

/** The outcome of checking a bearer token. */
export type TokenResult =
  | { ok: true }
  | { ok: false; status: 401 }
  | { ok: false; status: 429; retryAfterSeconds: number };

/** What {@link Authenticator} reports about failures (for the access log, metrics and alerts). */
export interface AuthEvents {
  failed(e: { user: string | undefined; address: string; reason: string }): void;
  lockout(e: LockoutEvent & { address: string }): void;
}

interface CacheEntry {
  mac: Buffer;
  hash: string;
  until: number;
}

const CACHE_TTL_MS = 5 * 60_000;
const CACHE_MAX = 10_000;

/**
 * HTTP Basic authentication against the accounts database, with lockout and no account probing.
 *
 * - Every password check that is not a cache hit runs scrypt, against a dummy hash when the
 *   account does not exist or is disabled, so unknown, disabled and known accounts take the same
 *   time and get the same 401.
 * - Failures count against the account name (existing or not) and the client address; either
 *   key's lockout answers 429 with `Retry-After`. Successful logins do not reset the count. A locked-out address gets nothing; a locked-out
 *   account still accepts clients whose password was verified before (cache hit), so a guessing
 *   attack does not stop the account's running backups.
 * - A verified password is remembered for 5 minutes as an HMAC under a per-process key, together
 *   with the hash it matched: a password change or a disable applies at the next request.
 *   Concurrent checks of the same credentials share one scrypt run.
 *
 * @example
 * ```ts
 * const auth = await Authenticator.create({ accounts, lockout, now, events });
 * const r = await auth.check(request.headers.get('authorization'), '192.0.2.7');
 * ```
 */
export class Authenticator {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly macKey = randomBytes(32);
  private readonly inflight = new Map<string, Promise<boolean>>();

  private constructor(
    private readonly o: {
      accounts: AccountStore;
      lockout: LockoutTracker;
      now: () => number;
      events: AuthEvents;
    },
    private readonly dummyHash: string,
  ) {}

  /** Creates an authenticator; `scrypt` sets the cost of the dummy hash (the server's default). */
  static async create(o: {
    accounts: AccountStore;
    lockout: LockoutTracker;
    now: () => number;
    events: AuthEvents;
    scrypt?: ScryptParams | undefined;
  }): Promise<Authenticator> {
    const dummy = await hashPassword(randomBytes(16).toString('hex'), o.scrypt);
    return new Authenticator(o, dummy);
  }

  /** Checks an `Authorization` header value from `address`. */
  async check(header: string | null, address: string): Promise<AuthResult> {
    const creds = parseBasic(header);
    const addrKey = `address:${address}`;
    const addrLock = await this.o.lockout.lockedUntil(addrKey);
    if (addrLock !== undefined) return this.locked(addrLock);
    if (!creds) {
      if (header === null) return { ok: false, status: 401, reason: undefined, user: undefined };
      return this.fail(undefined, address, 'malformed credentials');
    }
    const account = await this.o.accounts.get(creds.user);
    const usable = account !== undefined && account.disabledAt === undefined;
    if (usable && this.cached(creds.user, creds.password, account.passwordHash)) {
      return { ok: true, account: creds.user };
    }
    const userLock = await this.o.lockout.lockedUntil(`account:${creds.user}`);
    if (userLock !== undefined) return this.locked(userLock);
    const matches = await this.verifyOnce(
      creds.user,
      creds.password,
      usable ? account.passwordHash : this.dummyHash,
    );
    if (!usable || !matches) {
      const reason = !account ? 'unknown account' : !usable ? 'account disabled' : 'wrong password';
      return this.fail(creds.user, address, reason);
    }
    this.remember(creds.user, creds.password, account.passwordHash);
    return { ok: true, account: creds.user };
  }

  /**
   * Checks a bearer token (the metrics token) against `expected`, counted like passwords: a wrong
   * token is a failed login of the client address and of the key `token:<name>`, so guesses from
   * one address or spread over many both lock out (429) and alert. During a lockout even the right
   * token is answered 429, or the answers would tell a guesser when it found the token.
   */
  async checkToken(presented: string, expected: string, name: string, address: string): Promise<TokenResult> {
    const locks = await Promise.all(
      [`address:${address}`, `token:${name}`].map((k) => this.o.lockout.lockedUntil(k)),
    );
    const until = locks.find((u) => u !== undefined);
    if (until !== undefined) return this.locked(until) as TokenResult;
    const digest = (v: string) => createHmac('sha256', this.macKey).update(v).digest();
    if (timingSafeEqual(digest(presented), digest(expected))) return { ok: true };
    this.o.events.failed({ user: undefined, address, reason: `wrong ${name} token` });
    await this.lockKeys([`address:${address}`, `token:${name}`], address);
    return { ok: false, status: 401 };
  }

  private locked(until: number): AuthResult {
    return {
      ok: false,
      status: 429,
      retryAfterSeconds: Math.max(1, Math.ceil((until - this.o.now()) / 1000)),
    };
  }

  private async fail(user: string | undefined, address: string, reason: string): Promise<AuthResult> {
    this.o.events.failed({ user, address, reason });
    await this.lockKeys([`address:${address}`, ...(user === undefined ? [] : [`account:${user}`])], address);
    return { ok: false, status: 401, reason, user };
  }

  private async lockKeys(keys: string[], address: string): Promise<void> {
    for (const key of keys) {
      const ev = await this.o.lockout.fail(key);
      if (ev) this.o.events.lockout({ ...ev, address });
    }
  }

  /** Concurrent checks of the same credentials (a client opening several connections) share one scrypt run. */
  private verifyOnce(user: string, password: string, hash: string): Promise<boolean> {
    const key = `${this.mac(user, password).toString('hex')} ${hash}`;
    let p = this.inflight.get(key);
    if (!p) {
      p = verifyPassword(password, hash).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private mac(user: string, password: string): Buffer {
    return createHmac('sha256', this.macKey).update(user).update('\0').update(password).digest();
  }

  private cached(user: string, password: string, hash: string): boolean {
    const e = this.cache.get(user);
    if (!e || e.until <= this.o.now() || e.hash !== hash) return false;
    return timingSafeEqual(e.mac, this.mac(user, password));
  }

  private remember(user: string, password: string, hash: string): void {
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(user, { mac: this.mac(user, password), hash, until: this.o.now() + CACHE_TTL_MS });
  }
}

/**
 * Splits `Basic base64(user:password)`; `undefined` for anything else.
 *
 * @example
 * ```ts
 * parseBasic('Basic YWxpY2U6cHc='); // { user: 'alice', password: 'pw' }
 * ```
 */
export function parseBasic(header: string | null): { user: string; password: string } | undefined {
  const m = header === null ? null : /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0 || text.length > 1024) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}
