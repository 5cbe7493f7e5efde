import { z } from 'zod';
import { isValidZone } from './_zone.ts';
import { parseDuration } from './duration.ts';
import type { Duration } from './types.ts';

const part = z.number().int('must be a whole number').min(0, 'must not be negative');

const durationObject = z
  .object({
    years: part.optional(),
    months: part.optional(),
    weeks: part.optional(),
    days: part.optional(),
    hours: part.optional(),
  })
  .strict();

const duration = z
  .union([z.string(), durationObject], {
    error: 'expected a duration string such as "7d" or an object such as { days: 7 }',
  })
  .transform((value, ctx): Duration => {
    if (typeof value === 'string') {
      try {
        return parseDuration(value);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    }
    if (Object.values(value).every((n) => !n)) {
      ctx.addIssue({ code: 'custom', message: 'duration must be longer than zero' });
      return z.NEVER;
    }
    // Zero parts are dropped so that equal durations compare equal.
    return Object.fromEntries(Object.entries(value).filter(([, n]) => n !== undefined && n > 0)) as Duration;
  });

const count = z.union(
  [z.number().int('must be a whole number').min(0, 'must not be negative'), z.literal('all')],
  {
    error: "expected a non-negative whole number or 'all'",
  },
);

const rule = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('within'), duration }).strict(),
    z
      .object({
        kind: z.enum(['last', 'hourly', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly']),
        count,
        within: duration.optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('tag'),
        tags: z.array(z.string().min(1, 'a tag must not be empty')).min(1, 'needs at least one tag'),
      })
      .strict(),
  ],
  {
    error:
      'unknown rule kind (expected within, last, hourly, daily, weekly, monthly, quarterly, yearly or tag)',
  },
);

const zone = z
  .string({ error: 'expected an IANA time zone name such as "Europe/Amsterdam"' })
  .refine(isValidZone, {
    message: 'unknown time zone (use an IANA name such as "Europe/Amsterdam" or "UTC")',
  });

/** Options shared by the object form and the string form (everything but the rules). */
export const optionsSchema = z
  .object({
    preset: z.enum(['kluis', 'restic', 'borg']).optional(),
    zone: zone.optional(),
    anchor: z.enum(['now', 'newest']).optional(),
    counting: z.enum(['shared', 'exclusive']).optional(),
    pick: z.enum(['newest', 'oldest']).optional(),
    keepOldestWhenShort: z.boolean().optional(),
    keepNewest: z.boolean().optional(),
    groupBy: z.array(z.enum(['host', 'paths', 'tags'])).optional(),
    capacity: z.number().min(0, 'must not be negative').finite('must be finite').optional(),
  })
  .strict();

/** The object form of a policy. */
export const policySchema = optionsSchema.extend({ rules: z.array(rule).optional() }).strict();

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
