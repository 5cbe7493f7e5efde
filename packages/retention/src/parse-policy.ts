import {
  inEnglish,
  optionsSchema,
  type ParsedOptions,
  type ParsedRule,
  type PlainIssue,
  plainIssues,
  policySchema,
} from './_schema.ts';
import { parseRules } from './policy-string.ts';
import type { Count, Duration, GroupKey, Period, Policy, Rule } from './types.ts';

/**
 * A duration as policy input: a compact string (`"7d"`, `"1y2m"`) or a {@link Duration} object.
 *
 * @example
 * ```ts
 * const a: DurationInput = '30d';
 * const b: DurationInput = { days: 30 };
 * ```
 */
export type DurationInput = Duration | string;

/**
 * A rule as policy input (durations may be strings).
 *
 * @example
 * ```ts
 * const r: RuleInput = { kind: 'daily', count: 7, within: '30d' };
 * ```
 */
export type RuleInput =
  | { readonly kind: 'within'; readonly duration: DurationInput }
  | { readonly kind: 'last' | Period; readonly count: Count; readonly within?: DurationInput }
  | { readonly kind: 'tag'; readonly tags: readonly string[] };

/**
 * Policy settings other than the rules. `preset` fills every unset field with the semantics of
 * kluis (default), restic or borg; explicit fields override the preset.
 *
 * @example
 * ```ts
 * const o: PolicyOptions = { preset: 'restic', zone: 'Europe/Amsterdam' };
 * ```
 */
export interface PolicyOptions {
  readonly preset?: 'kluis' | 'restic' | 'borg';
  readonly zone?: string;
  readonly anchor?: 'now' | 'newest';
  readonly counting?: 'shared' | 'exclusive';
  readonly pick?: 'newest' | 'oldest';
  readonly keepOldestWhenShort?: boolean;
  readonly keepNewest?: boolean;
  readonly groupBy?: readonly GroupKey[];
  readonly capacity?: number;
}

/**
 * The object form of a policy: rules plus {@link PolicyOptions}.
 *
 * @example
 * ```ts
 * const input: PolicyInput = { rules: [{ kind: 'within', duration: '7d' }], zone: 'Europe/Amsterdam' };
 * ```
 */
export interface PolicyInput extends PolicyOptions {
  readonly rules?: readonly RuleInput[];
}

/**
 * The semantics each preset stands for (see the package guide for the comparison).
 *
 * @example
 * ```ts
 * PRESETS.restic.counting; // 'shared'
 * PRESETS.borg.counting; // 'exclusive'
 * ```
 */
export const PRESETS: Readonly<Record<'kluis' | 'restic' | 'borg', Omit<Policy, 'rules' | 'capacity'>>> = {
  kluis: {
    zone: 'UTC',
    anchor: 'now',
    counting: 'shared',
    pick: 'newest',
    keepOldestWhenShort: true,
    keepNewest: true,
    groupBy: ['host', 'paths'],
  },
  restic: {
    zone: 'UTC',
    anchor: 'newest',
    counting: 'shared',
    pick: 'newest',
    keepOldestWhenShort: true,
    keepNewest: false,
    groupBy: ['host', 'paths'],
  },
  borg: {
    zone: 'UTC',
    anchor: 'now',
    counting: 'exclusive',
    pick: 'newest',
    keepOldestWhenShort: true,
    keepNewest: false,
    groupBy: [],
  },
};

/**
 * One problem found in a policy: the field's dotted path and what is wrong with it.
 *
 * @example
 * ```ts
 * const i: PolicyIssue = { path: 'rules.0.count', message: 'must not be negative' };
 * ```
 */
export interface PolicyIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * The result of {@link safeParsePolicy}.
 *
 * @example
 * ```ts
 * const r: SafeParseResult = safeParsePolicy('7d');
 * if (r.ok) r.policy.rules; // [{ kind: 'within', duration: { days: 7 } }]
 * ```
 */
export type SafeParseResult = { ok: true; policy: Policy } | { ok: false; issues: PolicyIssue[] };

type Checked = { ok: true; policy: Policy } | { ok: false; issues: PlainIssue[]; typeError: boolean };

/** Drops keys whose value is `undefined` (zod's optional output keeps them). */
function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

function build(rules: readonly (Rule | ParsedRule)[], o: ParsedOptions): Policy {
  const base = PRESETS[o.preset ?? 'kluis'];
  const { preset: _preset, ...rest } = defined(o);
  return { ...base, ...rest, rules: rules.map((r) => defined(r) as Rule) };
}

/**
 * Validates a policy without throwing. Accepts the object form or the compact string form
 * (with `options` for the settings). Issues name the field (`rules.1.count`, `zone`).
 *
 * @example
 * ```ts
 * const r = safeParsePolicy({ rules: [{ kind: 'daily', count: -1 }] });
 * if (!r.ok) r.issues; // [{ path: 'rules.0.count', message: "..." }]
 * ```
 */
export function safeParsePolicy(input: PolicyInput | string, options: PolicyOptions = {}): SafeParseResult {
  const r = check(input, options);
  return r.ok ? r : { ok: false, issues: r.issues };
}

function check(input: PolicyInput | string, options: PolicyOptions): Checked {
  const opts = optionsSchema.safeParse(options, inEnglish());
  if (!opts.success) return { ok: false, ...plainIssues(opts.error.issues, 'options') };
  if (typeof input === 'string') {
    try {
      return { ok: true, policy: build(parseRules(input), opts.data) };
    } catch (e) {
      return {
        ok: false,
        issues: [{ path: '(policy string)', message: (e as Error).message }],
        typeError: e instanceof TypeError,
      };
    }
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    const message = 'expected a policy object or a policy string such as "7d"';
    return { ok: false, issues: [{ path: '(policy)', message }], typeError: true };
  }
  const parsed = policySchema.safeParse({ ...input, ...options }, inEnglish());
  if (!parsed.success) return { ok: false, ...plainIssues(parsed.error.issues) };
  const { rules = [], ...rest } = parsed.data;
  return { ok: true, policy: build(rules, rest) };
}

/**
 * Validates a policy and returns it fully explicit. Throws a `TypeError` (wrong types, unknown
 * fields) or `RangeError` (bad values) whose message lists every problem with its field.
 *
 * @example
 * ```ts
 * const p = parsePolicy('24h:1h,7d:1d,4w:1w', { zone: 'Europe/Amsterdam' });
 * const q = parsePolicy({ preset: 'restic', rules: [{ kind: 'daily', count: 7 }] });
 * ```
 */
export function parsePolicy(input: PolicyInput | string, options: PolicyOptions = {}): Policy {
  const r = check(input, options);
  if (r.ok) return r.policy;
  const text = `invalid retention policy: ${r.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
  throw r.typeError ? new TypeError(text) : new RangeError(text);
}

/**
 * The default policy: keep every version for `days` days (default 7) measured from now, as long
 * as `capacity` (bytes, optional) allows; the newest version of each host and path set is always
 * kept.
 *
 * @example
 * ```ts
 * const p = defaultPolicy(); // keep 7 days
 * const q = defaultPolicy({ days: 14, capacity: 500e9, zone: 'Europe/Amsterdam' });
 * ```
 */
export function defaultPolicy(options: { days?: number; capacity?: number; zone?: string } = {}): Policy {
  const { days = 7, ...rest } = options;
  return parsePolicy({ rules: [{ kind: 'within', duration: { days } }], ...rest });
}
