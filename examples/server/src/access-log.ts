import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

/** One line of the access log. */
export interface AccessLogEntry {
  /** ISO 8601 time. */
  time: string;
  /**
   * `access`: an authenticated request; `denied`: refused by the matrix or the retention lock;
   * `refused`: answered before authentication (501, maintenance 503); `desk`: a change made at
   * the provider's desk (`op` the action, `name` its subject); the rest are security events.
   */
  event: 'access' | 'denied' | 'refused' | 'login-failed' | 'lockout' | 'rejected' | 'desk';
  /** The account that made the request, or the login name tried. */
  user?: string | undefined;
  /** The client's address. */
  address?: string | undefined;
  method?: string | undefined;
  path?: string | undefined;
  op?: string | undefined;
  repo?: string | undefined;
  type?: string | undefined;
  name?: string | undefined;
  status?: number | undefined;
  bytesIn?: number | undefined;
  bytesOut?: number | undefined;
  durationMs?: number | undefined;
  /** The grant that allowed the request. */
  grant?: number | undefined;
  /** Why a login or request failed (never sent to the client). */
  reason?: string | undefined;
  until?: string | undefined;
}

/**
 * Appends JSON lines to a file. Each line is written with one `write` on a file opened for
 * appending, so lines from concurrent requests never interleave and are on disk (in the page
 * cache) before the response is sent. {@link AccessLog.reopen} supports log rotation. A new file
 * is created 0600 (owner-only): the log names accounts and addresses.
 *
 * @example
 * ```ts
 * const log = new AccessLog('/var/log/kluis/access.log');
 * log.write({ time: new Date().toISOString(), event: 'access', user: 'alice', status: 200 });
 * ```
 */
export class AccessLog {
  private fd: number;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'a', 0o600);
  }

  /** Appends one entry as a line of JSON. */
  write(entry: AccessLogEntry): void {
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
  }

  /** Reopens the file (after it was moved away by log rotation). */
  reopen(): void {
    const old = this.fd;
    this.fd = openSync(this.file, 'a', 0o600);
    closeSync(old);
  }

  /** Closes the file. */
  close(): void {
    closeSync(this.fd);
  }
}

/**
 * The last `limit` entries of the log at `file` that satisfy `keep`, oldest first. Reads the file
 * backwards in blocks and stops after `maxScanBytes`, so a huge log costs bounded work.
 *
 * @example
 * ```ts
 * const lines = readLogTail('access.log', { limit: 100, keep: (e) => e.user === 'alice' });
 * ```
 */
export function readLogTail(
  file: string,
  o: { limit: number; keep?: (e: AccessLogEntry) => boolean; maxScanBytes?: number },
): AccessLogEntry[] {
  const fd = openSync(file, 'r');
  try {
    const out: AccessLogEntry[] = [];
    let pos = fstatSync(fd).size;
    const stop = Math.max(0, pos - (o.maxScanBytes ?? 64 * 2 ** 20));
    let carry = Buffer.alloc(0);
    while (pos > stop && out.length < o.limit) {
      const n = Math.min(64 * 1024, pos - stop);
      pos -= n;
      const block = Buffer.alloc(n);
      readSync(fd, block, 0, n, pos);
      let buf = Buffer.concat([block, carry]);
      // The bytes before the first newline may be a partial line unless this is the start.
      const nl = pos > stop ? buf.indexOf(10) : -1;
      carry = nl >= 0 ? buf.subarray(0, nl) : Buffer.alloc(0);
      if (nl >= 0) buf = buf.subarray(nl + 1);
      else if (pos > stop) {
        carry = buf;
        continue;
      }
      const lines = buf.toString('utf8').split('\n');
      for (let i = lines.length - 1; i >= 0 && out.length < o.limit; i--) {
        const e = parse(lines[i]!);
        if (e && (!o.keep || o.keep(e))) out.push(e);
      }
    }
    return out.reverse();
  } finally {
    closeSync(fd);
  }
}

function parse(line: string): AccessLogEntry | undefined {
  if (line.trim() === '') return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && typeof (v as { time?: unknown }).time === 'string'
      ? (v as AccessLogEntry)
      : undefined;
  } catch {
    return undefined;
  }
}
