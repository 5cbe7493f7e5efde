import { Temporal as Polyfill } from 'temporal-polyfill';

/**
 * The Temporal implementation in use: the platform's own when it has one, else the polyfill.
 * All zone arithmetic goes through it; nothing in this package computes offsets by hand.
 */
export const T: typeof Polyfill = (globalThis as { Temporal?: typeof Polyfill }).Temporal ?? Polyfill;

export type Instant = Polyfill.Instant;
export type PlainDate = Polyfill.PlainDate;
export type ZonedDateTime = Polyfill.ZonedDateTime;

const MS_PER_DAY = 86_400_000;

export { MS_PER_DAY };

/** Converts a user-supplied instant to epoch milliseconds, naming `field` when it is not one. */
export function toEpochMs(value: unknown, field: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${field}: expected a finite epoch-millisecond number`);
    return value;
  }
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw new RangeError(`${field}: the Date is invalid`);
    return ms;
  }
  if (typeof value === 'string') {
    try {
      return T.Instant.from(value).epochMilliseconds;
    } catch {
      throw new RangeError(
        `${field}: "${value}" is not an instant (use an ISO 8601 date-time with Z or an offset, e.g. 2026-03-28T21:00:00+01:00)`,
      );
    }
  }
  if (isInstant(value)) return value.epochMilliseconds;
  throw new TypeError(`${field}: expected a Temporal.Instant, Date, ISO string or epoch milliseconds`);
}

function isInstant(value: unknown): value is Polyfill.Instant {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { epochMilliseconds?: unknown }).epochMilliseconds === 'number' &&
    typeof (value as { toZonedDateTimeISO?: unknown }).toZonedDateTimeISO === 'function'
  );
}

/** Epoch milliseconds to a Temporal.Instant. */
export function instant(ms: number): Polyfill.Instant {
  return T.Instant.fromEpochMilliseconds(ms);
}

/** The local calendar date of an instant in `zone`. */
export function localDate(ms: number, zone: string): Polyfill.PlainDate {
  return instant(ms).toZonedDateTimeISO(zone).toPlainDate();
}

/** An instant shown as local wall time in `zone` without the bracketed zone (for reports). */
export function localString(ms: number, zone: string): string {
  return instant(ms).toZonedDateTimeISO(zone).toString({ timeZoneName: 'never', smallestUnit: 'minute' });
}

/**
 * Resolves a local date and time in `zone` to epoch milliseconds, following RFC 5545:
 * a repeated (ambiguous) local time means its first occurrence; a skipped local time gives
 * `undefined` when `gap` is `'none'`, or the instant the clocks jumped when `gap` is `'transition'`
 * (the first instant at which the wall clock shows that time or later).
 */
export function resolveLocal(
  date: Polyfill.PlainDate,
  time: Polyfill.PlainTime,
  zone: string,
  gap: 'none' | 'transition',
): number | undefined {
  const pdt = date.toPlainDateTime(time);
  const later = pdt.toZonedDateTime(zone, { disambiguation: 'later' });
  if (!later.toPlainDateTime().equals(pdt)) {
    if (gap === 'none') return undefined;
    // `later` may be the transition instant itself; step past it so 'previous' finds this transition.
    const jump = later.add({ nanoseconds: 1 }).getTimeZoneTransition('previous');
    return jump?.epochMilliseconds ?? later.epochMilliseconds;
  }
  return pdt.toZonedDateTime(zone, { disambiguation: 'earlier' }).epochMilliseconds;
}

/** Start of the local day `date` in `zone` (Temporal handles days that do not start at 00:00). */
export function startOfDay(date: Polyfill.PlainDate, zone: string): number {
  return date.toZonedDateTime({ timeZone: zone }).epochMilliseconds;
}

/** Whether `zone` is an IANA time zone Temporal knows. */
export function isValidZone(zone: string): boolean {
  try {
    T.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(zone);
    return true;
  } catch {
    return false;
  }
}
