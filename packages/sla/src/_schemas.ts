import { z } from 'zod';
import { isValidZone, T } from './_temporal.ts';
import type { ValidationIssue } from './types.ts';

const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/;

const isoDate = z
  .string()
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && canParse(() => T.PlainDate.from(s, { overflow: 'reject' })),
    { message: 'expected a valid local date YYYY-MM-DD' },
  );

const dateTime = z
  .string()
  .refine(
    (s) =>
      canParse(() => T.Instant.from(s)) || canParse(() => T.PlainDateTime.from(s, { overflow: 'reject' })),
    {
      message: 'expected an ISO 8601 date-time (with Z or an offset for an instant, without for local time)',
    },
  );

function canParse(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone Temporal knows. */
export const zoneSchema = z
  .string()
  .refine(isValidZone, { message: 'unknown time zone (use an IANA name such as Europe/Amsterdam)' });

const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

const recurring = z
  .object({
    kind: z.literal('recurring'),
    name: z.string().min(1).optional(),
    weekdays: z.array(weekday).optional(),
    daysOfMonth: z
      .array(
        z
          .number()
          .int()
          .min(-31)
          .max(31)
          .refine((d) => d !== 0, { message: 'day of month 0 does not exist (use 1..31 or -1..-31)' }),
      )
      .optional(),
    months: z.array(z.number().int().min(1).max(12)).optional(),
    start: z.string().regex(hhmm, { message: 'expected a local time HH:MM (00:00..23:59)' }),
    end: z
      .string()
      .refine((s) => hhmm.test(s) || s === '24:00', { message: 'expected a local time HH:MM or 24:00' }),
    from: isoDate.optional(),
    until: isoDate.optional(),
    skipHolidays: z.boolean().optional(),
  })
  .strict()
  .refine((w) => w.start !== w.end, {
    message: 'start and end are equal: a window needs a length (use 00:00 to 24:00 for a whole day)',
    path: ['end'],
  });

const once = z
  .object({ kind: z.literal('once'), name: z.string().min(1).optional(), start: dateTime, end: dateTime })
  .strict();

/** A window: `kind` defaults to `'recurring'`. */
export const windowSchema = z.preprocess(
  (v) => (typeof v === 'object' && v !== null && !('kind' in v) ? { ...v, kind: 'recurring' } : v),
  z.discriminatedUnion('kind', [recurring, once]),
);

const exclusion = z.union([
  z.object({ date: isoDate }).strict(),
  z.object({ start: dateTime, end: dateTime }).strict(),
]);

/** Holiday source. */
export const holidaySchema = z
  .object({
    country: z.string().regex(/^[A-Z]{2}$/, { message: 'expected an ISO 3166-1 alpha-2 country code' }),
    state: z.string().min(1).optional(),
    region: z.string().min(1).optional(),
    types: z.array(z.enum(['public', 'bank', 'school', 'optional', 'observance'])).optional(),
    extra: z.array(isoDate).optional(),
  })
  .strict();

/** Windows, exclusions and holidays without the zone (shared by calendars and profiles). */
export const windowListSchema = z.array(windowSchema);
export const exclusionListSchema = z.array(exclusion);

/** A calendar. */
export const calendarSchema = z
  .object({
    zone: zoneSchema,
    windows: windowListSchema,
    exclusions: exclusionListSchema.optional(),
    holidays: holidaySchema.optional(),
  })
  .strict();

/** Zod issues as plain `{ path, message }` with paths like `windows[1].start`. */
export function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(root)';
}

/**
 * Parses `value` or throws: `TypeError` when a field has the wrong type (or is missing),
 * `RangeError` when its value is out of range; the message names the field.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  const issues = toIssues(r.error);
  const text = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  const message = `invalid ${what}: ${text}`;
  throw first?.code === 'invalid_type' || first?.code === 'unrecognized_keys'
    ? new TypeError(message)
    : new RangeError(message);
}
