/**
 * A backup version (a snapshot) as the retention functions see it. Only `id` and `time` are
 * required; everything else refines the decision.
 *
 * @example
 * ```ts
 * const v: Version = { id: 'a1', time: '2026-03-01T02:00:00Z', host: 'nas', tags: ['nightly'], size: 4096 };
 * ```
 */
export interface Version {
  /** Unique identifier; ties in `time` are broken by `id` (the smaller id counts as newer). */
  readonly id: string;
  /** The instant the version was taken: a `Date` or an ISO 8601 instant with an offset or `Z`. */
  readonly time: Date | string;
  readonly host?: string;
  readonly paths?: readonly string[];
  readonly tags?: readonly string[];
  /** `false` for an interrupted or partial backup. Default `true`. */
  readonly complete?: boolean;
  /** A pinned version is always kept, whatever the policy or the capacity. */
  readonly pinned?: boolean;
  /** Estimated bytes freed if only this version were removed (its unique data). */
  readonly size?: number;
}

/**
 * A calendar duration, applied in the policy's time zone (a month back from 31 March is
 * 28 or 29 February; a day back across a DST change is 23 or 25 hours).
 *
 * @example
 * ```ts
 * const d: Duration = { months: 1, days: 14 };
 * ```
 */
export interface Duration {
  readonly years?: number;
  readonly months?: number;
  readonly weeks?: number;
  readonly days?: number;
  readonly hours?: number;
}

/**
 * The calendar periods a bucket rule can use. Weeks are ISO weeks (Monday to Sunday), quarters
 * are January–March, April–June, July–September, October–December.
 *
 * @example
 * ```ts
 * const p: Period = 'weekly';
 * ```
 */
export type Period = 'hourly' | 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'yearly';

/**
 * How many versions (or buckets) a counting rule keeps: a non-negative integer or `'all'`.
 *
 * @example
 * ```ts
 * const c: Count = 'all';
 * ```
 */
export type Count = number | 'all';

/**
 * One retention rule of a validated {@link Policy}.
 *
 * - `within`: keep every version newer than the anchor minus `duration`.
 * - `last`: keep the newest `count` versions (optionally only those within `within`).
 * - a {@link Period}: keep one version per calendar bucket for the newest `count` buckets
 *   (optionally only buckets within `within`).
 * - `tag`: keep every version carrying all of `tags`.
 *
 * @example
 * ```ts
 * const rules: Rule[] = [
 *   { kind: 'within', duration: { days: 7 } },
 *   { kind: 'daily', count: 30 },
 *   { kind: 'monthly', count: 'all', within: { years: 2 } },
 *   { kind: 'tag', tags: ['release'] },
 * ];
 * ```
 */
export type Rule =
  | { readonly kind: 'within'; readonly duration: Duration }
  | { readonly kind: 'last' | Period; readonly count: Count; readonly within?: Duration }
  | { readonly kind: 'tag'; readonly tags: readonly string[] };

/**
 * Whether a version kept by one rule may also fill another rule's bucket.
 * `'shared'` (restic): rules are evaluated independently and OR-ed, so seven dailies already
 * contain this week's weekly. `'exclusive'` (borg): rules run from finest to coarsest, and a
 * version already kept does not count for a later rule, which therefore reaches further back.
 *
 * @example
 * ```ts
 * const c: Counting = 'exclusive';
 * ```
 */
export type Counting = 'shared' | 'exclusive';

/**
 * Fields a version can be grouped by; each group is evaluated on its own.
 *
 * @example
 * ```ts
 * const g: GroupKey[] = ['host', 'paths'];
 * ```
 */
export type GroupKey = 'host' | 'paths' | 'tags';

/**
 * A validated, fully explicit retention policy (what {@link parsePolicy} returns).
 *
 * @example
 * ```ts
 * const policy: Policy = parsePolicy('24h:1h,7d:1d,4w:1w', { zone: 'Europe/Amsterdam' });
 * policy.rules.length; // 3
 * ```
 */
export interface Policy {
  readonly rules: readonly Rule[];
  /** IANA time zone in which hours, days, weeks, months, quarters and years are cut. */
  readonly zone: string;
  /** Where `within` durations are measured from: the evaluation time or the newest version. */
  readonly anchor: 'now' | 'newest';
  readonly counting: Counting;
  /** Which member of a bucket represents it: the newest (restic, borg) or the oldest (Synology). */
  readonly pick: 'newest' | 'oldest';
  /** A counting rule that has count left when it reaches the oldest version keeps that one too. */
  readonly keepOldestWhenShort: boolean;
  /** Always keep the newest version (and the newest complete version) of each group. */
  readonly keepNewest: boolean;
  readonly groupBy: readonly GroupKey[];
  /** Storage capacity in bytes; when set, versions beyond it are dropped oldest first. */
  readonly capacity?: number;
}
