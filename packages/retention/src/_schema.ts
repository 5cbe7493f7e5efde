// The policy schema, in zod/mini (functions a bundler drops when unused, so a browser bundle
// stays small; full zod's schemas are classes it must keep whole). zod/mini carries no messages
// of its own: parses pass zod's English ones (`inEnglish`), so issues read as with full zod.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { isValidZone } from './_zone.ts';
import { parseDuration } from './duration.ts';
import type { Duration } from './types.ts';

let english: z.core.$ZodErrorMap | undefined;

/** Parse options giving zod's English messages. */
export function inEnglish(): { error: z.core.$ZodErrorMap } {
  english ??= en().localeError;
  return { error: english };
}

const whole = () =>
  z.number().check(z.int({ error: 'must be a whole number' }), z.gte(0, 'must not be negative'));
const part = whole();

const durationObject = z.strictObject({
  years: z.optional(part),
  months: z.optional(part),
  weeks: z.optional(part),
  days: z.optional(part),
  hours: z.optional(part),
});

const duration = z.pipe(
  z.union([z.string(), durationObject], {
    error: 'expected a duration string such as "7d" or an object such as { days: 7 }',
  }),
  z.transform((value, ctx): Duration => {
    if (typeof value === 'string') {
      try {
        return parseDuration(value);
      } catch (e) {
        ctx.issues.push({ code: 'custom', message: (e as Error).message, input: value });
        return z.NEVER;
      }
    }
    if (Object.values(value).every((n) => !n)) {
      ctx.issues.push({ code: 'custom', message: 'duration must be longer than zero', input: value });
      return z.NEVER;
    }
    // Zero parts are dropped so that equal durations compare equal.
    return Object.fromEntries(Object.entries(value).filter(([, n]) => n !== undefined && n > 0)) as Duration;
  }),
);

const count = z.union([whole(), z.literal('all')], {
  error: "expected a non-negative whole number or 'all'",
});

const rule = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('within'), duration }),
    z.strictObject({
      kind: z.enum(['last', 'hourly', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly']),
      count,
      within: z.optional(duration),
    }),
    z.strictObject({
      kind: z.literal('tag'),
      tags: z
        .array(z.string().check(z.minLength(1, 'a tag must not be empty')))
        .check(z.minLength(1, 'needs at least one tag')),
    }),
  ],
  {
    error:
      'unknown rule kind (expected within, last, hourly, daily, weekly, monthly, quarterly, yearly or tag)',
  },
);

const zone = z.string({ error: 'expected an IANA time zone name such as "Europe/Amsterdam"' }).check(
  z.refine(isValidZone, {
    message: 'unknown time zone (use an IANA name such as "Europe/Amsterdam" or "UTC")',
  }),
);

const optionsShape = {
  preset: z.optional(z.enum(['kluis', 'restic', 'borg'])),
  zone: z.optional(zone),
  anchor: z.optional(z.enum(['now', 'newest'])),
  counting: z.optional(z.enum(['shared', 'exclusive'])),
  pick: z.optional(z.enum(['newest', 'oldest'])),
  keepOldestWhenShort: z.optional(z.boolean()),
  keepNewest: z.optional(z.boolean()),
  groupBy: z.optional(z.array(z.enum(['host', 'paths', 'tags']))),
  capacity: z.optional(z.number().check(z.gte(0, 'must not be negative'))),
};

/** Options shared by the object form and the string form (everything but the rules). */
export const optionsSchema = z.strictObject(optionsShape);

/** The object form of a policy. */
export const policySchema = z.strictObject({ ...optionsShape, rules: z.optional(z.array(rule)) });

export type ParsedPolicyInput = z.output<typeof policySchema>;
export type ParsedOptions = z.output<typeof optionsSchema>;
export type ParsedRule = z.output<typeof rule>;

/** A zod issue as plain data: a dotted path and a readable message. */
export interface PlainIssue {
  readonly path: string;
  readonly message: string;
}

/** Converts zod issues to plain issues, and reports whether any is a type (not a range) problem. */
export function plainIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix = '',
): { issues: PlainIssue[]; typeError: boolean } {
  const typeCodes = new Set(['invalid_type', 'unrecognized_keys', 'invalid_union']);
  let typeError = false;
  const out = issues.map((i) => {
    if (typeCodes.has(i.code)) typeError = true;
    const path = [prefix, ...i.path.map(String)].filter((p) => p !== '').join('.');
    return { path: path === '' ? '(policy)' : path, message: i.message };
  });
  return { issues: out, typeError };
}
