/**
 * @packageDocumentation
 * Retention policies for backup versions: decide which versions to keep, explain every keep and
 * every drop, simulate a policy over time, and trim to a storage capacity. Pure functions over
 * plain data, time-zone correct (Temporal), no I/O.
 */
export { type ApplyOptions, applyPolicy } from './apply-policy.ts';
export { formatDuration, isZeroDuration, parseDuration } from './duration.ts';
export { describePolicy, type Explanation, explainJson, explainText } from './explain.ts';
export {
  type DurationInput,
  defaultPolicy,
  type PolicyInput,
  type PolicyIssue,
  type PolicyOptions,
  PRESETS,
  parsePolicy,
  type RuleInput,
  type SafeParseResult,
  safeParsePolicy,
} from './parse-policy.ts';
export { formatRules, parseRules } from './policy-string.ts';
export type { CapacityReport, Decision, DropReason, KeepReason, RetentionResult } from './result-types.ts';
export { type SimulateOptions, type SimulationPoint, type SimulationResult, simulate } from './simulate.ts';
export type { Count, Counting, Duration, GroupKey, Period, Policy, Rule, Version } from './types.ts';
