import { formatDuration, parseDuration } from './duration.ts';
import type { Count, Period, Rule } from './types.ts';

const PERIOD_OF: Readonly<Record<string, Period>> = {
  '1h': 'hourly',
  '1d': 'daily',
  '1w': 'weekly',
  '1m': 'monthly',
  '1q': 'quarterly',
  '1y': 'yearly',
};
const UNIT_OF: Readonly<Record<Period, string>> = {
  hourly: '1h',
  daily: '1d',
  weekly: '1w',
  monthly: '1m',
  quarterly: '1q',
  yearly: '1y',
};
const TAG = /^[^\s,:+@]+$/;

function parseCount(text: string, term: string): Count {
  if (text === 'all') return 'all';
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new RangeError(`policy term "${term}": "${text}" is not a count (a whole number or "all")`);
  }
  return Number(text);
}

function parseTerm(term: string): Rule {
  if (term.startsWith('tag:')) {
    const tags = term.slice(4).split('+');
    if (!tags.every((t) => TAG.test(t)))
      throw new RangeError(`policy term "${term}": expected tag:<tag>[+<tag>...]`);
    return { kind: 'tag', tags };
  }
  const [head = '', bound, ...extra] = term.split('@');
  if (extra.length > 0) throw new RangeError(`policy term "${term}": "@" may appear once`);
  const within = bound === undefined ? undefined : parseDuration(bound);
  const [left = '', right, ...more] = head.split(':');
  if (more.length > 0) throw new RangeError(`policy term "${term}": ":" may appear once`);
  if (right === undefined) {
    if (within !== undefined)
      throw new RangeError(`policy term "${term}": "@" needs a count rule such as 30:1d@90d`);
    if (/^\d+$/.test(left))
      throw new RangeError(`policy term "${term}": a bare number needs a unit ("7d") or a period ("7:1d")`);
    return { kind: 'within', duration: parseDuration(left) };
  }
  if (left === 'last') {
    const count = parseCount(right, term);
    return within === undefined ? { kind: 'last', count } : { kind: 'last', count, within };
  }
  const kind = PERIOD_OF[right];
  if (kind === undefined)
    throw new RangeError(`policy term "${term}": period "${right}" must be one of 1h, 1d, 1w, 1m, 1q, 1y`);
  if (/^(\d+|all)$/.test(left)) {
    const count = parseCount(left, term);
    return within === undefined ? { kind, count } : { kind, count, within };
  }
  if (within !== undefined)
    throw new RangeError(
      `policy term "${term}": use either <duration>:<period> or <count>:<period>@<duration>`,
    );
  return { kind, count: 'all', within: parseDuration(left) };
}

/**
 * Parses the compact string form of a policy's rules (the grammar is in the package guide):
 * comma-separated terms, each one of
 * `<duration>` (keep everything within), `<duration>:<period>` (one per period within),
 * `<count>:<period>[@<duration>]` (one per period for the newest count periods),
 * `last:<count>[@<duration>]`, and `tag:<tag>[+<tag>...]`.
 * Durations use `y m w d h` (`m` is months); periods are `1h 1d 1w 1m 1q 1y`.
 * Throws a `RangeError` naming the bad term.
 *
 * @example
 * ```ts
 * parseRules('24h:1h,7d:1d,4w:1w');
 * // [{ kind: 'hourly', count: 'all', within: { hours: 24 } }, { kind: 'daily', ... }, { kind: 'weekly', ... }]
 * ```
 */
export function parseRules(text: string): Rule[] {
  if (typeof text !== 'string') throw new TypeError('policy string: expected a string such as "7d"');
  const terms = text.split(',').map((t) => t.trim());
  if (terms.length === 1 && terms[0] === '') return [];
  return terms.map((term, i) => {
    if (term === '') throw new RangeError(`policy string "${text}": term ${i + 1} is empty`);
    return parseTerm(term);
  });
}

function formatRule(rule: Rule): string {
  if (rule.kind === 'within') return formatDuration(rule.duration);
  if (rule.kind === 'tag') {
    if (!rule.tags.every((t) => TAG.test(t)))
      throw new RangeError(`tags ${rule.tags.join(', ')} have no string form`);
    return `tag:${rule.tags.join('+')}`;
  }
  const bound = rule.within === undefined ? '' : `@${formatDuration(rule.within)}`;
  if (rule.kind === 'last') return `last:${rule.count}${bound}`;
  if (rule.count === 'all' && rule.within !== undefined)
    return `${formatDuration(rule.within)}:${UNIT_OF[rule.kind]}`;
  return `${rule.count}:${UNIT_OF[rule.kind]}${bound}`;
}

/**
 * Formats rules in the compact string form; `parseRules(formatRules(r))` gives `r` back.
 * Throws a `RangeError` for a tag that contains `, : + @` or whitespace.
 *
 * @example
 * ```ts
 * formatRules([{ kind: 'within', duration: { days: 7 } }, { kind: 'monthly', count: 12 }]); // '7d,12:1m'
 * ```
 */
export function formatRules(rules: readonly Rule[]): string {
  return rules.map(formatRule).join(',');
}

/** The noun for one bucket of a period. */
export const BUCKET_NOUN: Readonly<Record<Period, string>> = {
  hourly: 'hour',
  daily: 'day',
  weekly: 'week',
  monthly: 'month',
  quarterly: 'quarter',
  yearly: 'year',
};

/** A short human name for a rule, e.g. `daily 7`, `monthly all within 2y`, `tag release`. */
export function describeRule(rule: Rule): string {
  if (rule.kind === 'within') return `within ${formatDuration(rule.duration)}`;
  if (rule.kind === 'tag') return `tag ${rule.tags.join('+')}`;
  const bound = rule.within === undefined ? '' : ` within ${formatDuration(rule.within)}`;
  return `${rule.kind} ${rule.count}${bound}`;
}
