import { redact } from './redact.ts';
/** A security event worth a person's attention. */
export interface Alert {
  kind: 'lockout';
  /** What was locked out: `account:<name>` or `address:<ip>`. */
  key: string;
  failures: number;
  level: number;
  /** ISO time the lockout ends. */
  until: string;
  /** The address of the last failed attempt. */
  address: string | undefined;
}

/** Where alerts go besides the access log. */
export interface AlertOptions {
  /** Receives one human-readable line per alert (the server's log). */
  log: (line: string) => void;
  /** When set, every alert is POSTed there as JSON. Never called when unset. */
  webhookUrl?: string | undefined;
  /** Give up on a webhook call after this long. Default 5 s. */
  webhookTimeoutMs?: number | undefined;
  /** Fetch implementation (tests may pass their own). */
  fetch?: typeof fetch | undefined;
}

/**
 * Sends alerts: a log line always, and a webhook POST (`{"alert": …}`) when configured. Webhook
 * calls never delay or fail the request that caused them; a failing webhook is itself logged.
 * {@link Alerter.idle} resolves when no webhook call is in flight (used at shutdown and in tests).
 *
 * @example
 * ```ts
 * const alerter = new Alerter({ log: (l) => process.stderr.write(`${l}\n`), webhookUrl: 'https://ops.example/hook' });
 * alerter.send({ kind: 'lockout', key: 'account:alice', failures: 5, level: 1, until, address });
 * ```
 */
export class Alerter {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly o: AlertOptions) {}

  /** Logs the alert and starts the webhook call, if any. */
  send(alert: Alert): void {
    this.o.log(
      `ALERT ${alert.kind} ${alert.key} after ${alert.failures} failed logins (level ${alert.level}) until ${alert.until}` +
        (alert.address ? ` last from ${alert.address}` : ''),
    );
    const url = this.o.webhookUrl;
    if (!url) return;
    const p = this.post(url, alert).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Resolves once every webhook call started so far has finished. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  private async post(webhook: string, alert: Alert): Promise<void> {
    const f = this.o.fetch ?? fetch;
    // fetch refuses URLs with credentials: send them as Basic authentication instead.
    const url = new URL(webhook);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (url.username || url.password) {
      const user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      headers.authorization = `Basic ${Buffer.from(user).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    try {
      const res = await f(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ alert }),
        signal: AbortSignal.timeout(this.o.webhookTimeoutMs ?? 5000),
      });
      await res.body?.cancel();
      if (!res.ok) this.o.log(`alert webhook ${url} answered ${res.status}`);
    } catch (e) {
      const why =
        e instanceof Error ? `${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ''}` : e;
      this.o.log(redact(`alert webhook ${url} failed: ${String(why)}`));
    }
  }
}
