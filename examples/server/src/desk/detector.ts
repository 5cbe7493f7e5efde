import type { AccessLogEntry } from '../access-log.ts';
import type { Desk } from './desk.ts';

/** When failing requests make an incident: at least `minErrors` failed, and that share of all. */
export interface DetectionPolicy {
  /** The sliding window, in ms. Default 5 minutes. */
  windowMs: number;
  /** Failed requests (5xx after authentication) needed in the window. Default 5. */
  minErrors: number;
  /** Share of the window's requests that failed, 0..1. Default 0.5. */
  errorRatio: number;
}

/**
 * The defaults: 5 failed requests in 5 minutes, half of all.
 *
 * @example
 * ```ts
 * const detector = new IncidentDetector(desk, DEFAULT_DETECTION);
 * ```
 */
export const DEFAULT_DETECTION: DetectionPolicy = { windowMs: 5 * 60_000, minErrors: 5, errorRatio: 0.5 };

/**
 * Opens `detected` incidents from the error rate: it watches the access log's entries, and when an
 * account's authenticated repository requests fail with 5xx (storage or server failure, not
 * maintenance, which is answered before authentication) often enough in the window, it opens an
 * incident for that account, starting at the first failure of the window, unless one it opened is
 * still open. The provider then takes it from there (and tells the coordinator, article 23.1f).
 *
 * @example
 * ```ts
 * const detector = new IncidentDetector(desk, DEFAULT_DETECTION);
 * detector.observe(entry); // for every access-log entry
 * ```
 */
export class IncidentDetector {
  private readonly seen = new Map<string, { t: number; failed: boolean }[]>();
  /** The checks in progress, by account. */
  private readonly checking = new Map<string, Promise<void>>();

  constructor(
    private readonly desk: Desk,
    private readonly policy: DetectionPolicy,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  /** Looks at one access-log entry. */
  observe(e: AccessLogEntry): void {
    if (e.event !== 'access' || !e.repo || e.status === undefined) return;
    const account = e.repo.split('/')[0]!;
    const t = Date.parse(e.time);
    const list = (this.seen.get(account) ?? []).filter((x) => x.t > t - this.policy.windowMs);
    list.push({ t, failed: e.status >= 500 });
    this.seen.set(account, list);
    const failed = list.filter((x) => x.failed);
    if (failed.length < this.policy.minErrors || failed.length / list.length < this.policy.errorRatio) return;
    // One check at a time per account: requests failing together open one incident.
    if (this.checking.has(account)) return;
    const minutes = Math.round(this.policy.windowMs / 60_000);
    const title = `detected: ${failed.length} of ${list.length} requests failed with a server error within ${minutes} min`;
    const check = this.open(account, title, failed[0]!.t).finally(() => this.checking.delete(account));
    this.checking.set(account, check);
  }

  /** Opens a detected incident unless one the detector opened is still open. */
  private async open(account: string, title: string, at: number): Promise<void> {
    try {
      const open = (await this.desk.incidents({ account })).some(
        (i) => i.openedBy === 'detector' && i.state !== 'closed',
      );
      if (open) return;
      await this.desk.openIncident({
        account,
        title,
        impact: 'high',
        urgency: 'high',
        source: 'detected',
        by: 'detector',
        at,
      });
      this.seen.set(account, []);
    } catch (err) {
      this.onError(err);
    }
  }

  /** Waits for the checks in progress (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.checking.size > 0) await Promise.all(this.checking.values());
  }
}
