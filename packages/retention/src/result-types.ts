import type { Policy, Version } from './types.ts';

/**
 * Why a version is kept: one entry per rule that keeps it. `rule` is the rule's kind, or one of
 * `pinned`, `newest` and `incomplete` for the built-in protections; `ruleIndex` points into
 * `policy.rules`.
 *
 * @example
 * ```ts
 * const r: KeepReason = { rule: 'daily', ruleIndex: 1, bucket: '2026-03-01', oldest: false, text: 'daily 7: newest of day 2026-03-01' };
 * ```
 */
export interface KeepReason {
  readonly rule: string;
  readonly ruleIndex?: number;
  readonly bucket?: string;
  /** True when kept only because the rule was short and keeps the oldest version. */
  readonly oldest?: boolean;
  readonly text: string;
}

/**
 * Why a version is not kept by one rule (or by capacity). `takenBy` names the version that took
 * its bucket, when one did.
 *
 * - `bucket-taken`: the rule keeps one version of this bucket, and that is `takenBy`.
 * - `beyond-count`: the bucket is older than the rule's count reaches.
 * - `outside-window`: the version is older than the rule's time bound.
 * - `counted-elsewhere`: exclusive counting; the bucket's representative `takenBy` is already kept by another rule.
 * - `incomplete`: an incomplete version superseded by a complete one.
 * - `no-rule`: no rule applies to it.
 * - `capacity`: the policy keeps it, but it was dropped to fit the capacity.
 *
 * @example
 * ```ts
 * const r: DropReason = { rule: 'daily', ruleIndex: 0, kind: 'bucket-taken', bucket: '2026-03-01', takenBy: 'b7', text: '...' };
 * ```
 */
export interface DropReason {
  readonly rule: string;
  readonly ruleIndex?: number;
  readonly kind:
    | 'bucket-taken'
    | 'beyond-count'
    | 'outside-window'
    | 'counted-elsewhere'
    | 'incomplete'
    | 'no-rule'
    | 'capacity';
  readonly bucket?: string;
  readonly takenBy?: string;
  readonly text: string;
}

/**
 * The decision for one version. A kept version has at least one `reasons` entry; a dropped one
 * has at least one `dropReasons` entry (and, if dropped for capacity, still lists the `reasons`
 * the policy had to keep it).
 *
 * @example
 * ```ts
 * const d: Decision = { id: 'a', time: '2026-03-01T02:00:00Z', group: '', keep: true, reasons: [], dropReasons: [] };
 * ```
 */
export interface Decision {
  readonly id: string;
  /** The version's instant as an ISO string in UTC. */
  readonly time: string;
  readonly group: string;
  readonly keep: boolean;
  readonly reasons: readonly KeepReason[];
  readonly dropReasons: readonly DropReason[];
}

/**
 * What capacity-aware retention did: bytes are the versions' unique sizes (estimates: data shared
 * with kept versions is not freed).
 *
 * @example
 * ```ts
 * const c: CapacityReport = { capacity: 100, keptBytes: 90, policyFreedBytes: 40, capacityFreedBytes: 30, beyondPolicy: ['v1'], fits: true };
 * ```
 */
export interface CapacityReport {
  readonly capacity: number;
  /** Bytes of the versions finally kept. */
  readonly keptBytes: number;
  /** Bytes freed by versions the policy itself drops. */
  readonly policyFreedBytes: number;
  /** Bytes freed by versions dropped beyond the policy to fit. */
  readonly capacityFreedBytes: number;
  /** Ids of versions the policy keeps but which had to go to fit, oldest first. */
  readonly beyondPolicy: readonly string[];
  /** False when even after dropping everything allowed (never pinned or newest) it does not fit. */
  readonly fits: boolean;
}

/**
 * The outcome of {@link applyPolicy}: `keep` and `drop` partition the input (newest first),
 * `decisions` explains every version.
 *
 * @example
 * ```ts
 * const r: RetentionResult = applyPolicy(versions, '7d');
 * r.keep.length + r.drop.length === versions.length; // true
 * ```
 */
export interface RetentionResult {
  readonly policy: Policy;
  /** The evaluation time, ISO. */
  readonly now: string;
  readonly keep: readonly Version[];
  readonly drop: readonly Version[];
  readonly decisions: readonly Decision[];
  readonly capacity?: CapacityReport;
}
