import { Temporal as Polyfill } from 'temporal-polyfill';
import type { Duration, Period } from './types.ts';

type TemporalNs = typeof Polyfill;

/** The native Temporal when the runtime has it, else the polyfill (same API, same answers). */
export const Temporal: TemporalNs = (globalThis as { Temporal?: TemporalNs }).Temporal ?? Polyfill;

/** Whether `zone` names a time zone Temporal knows (IANA name or fixed offset). */
export function isValidZone(zone: string): boolean {
  try {
    Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(zone);
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds since the epoch of a `Date` or ISO instant string; throws a readable error. */
export function toEpochMs(value: Date | string, field: string): number {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw new RangeError(`${field}: invalid Date`);
    return ms;
  }
  if (typeof value !== 'string')
    throw new TypeError(`${field}: expected a Date or an ISO 8601 instant string`);
  try {
    return Temporal.Instant.from(value).epochMilliseconds;
  } catch {
    throw new RangeError(
      `${field}: "${value}" is not an ISO 8601 instant (it needs a date, a time and an offset or Z, e.g. 2026-03-01T02:00:00Z)`,
    );
  }
}

/** ISO string of an epoch-ms instant (UTC, `Z`, always with milliseconds). */
export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

/** `from` minus a calendar duration, computed in `zone` (months clamp to the month's end). */
export function subtractDuration(fromMs: number, d: Duration, zone: string): number {
  const z = Temporal.Instant.fromEpochMilliseconds(fromMs).toZonedDateTimeISO(zone);
  const dated = z.subtract({
    years: d.years ?? 0,
    months: d.months ?? 0,
    weeks: d.weeks ?? 0,
    days: d.days ?? 0,
  });
  // Hours are elapsed time, not wall-clock time, so they are subtracted from the instant.
  return dated.epochMilliseconds - (d.hours ?? 0) * 3_600_000;
}

/** `from` plus `times` × a calendar duration, computed in `zone` from `from` (no drift at month ends). */
export function addDurationTimes(fromMs: number, d: Duration, times: number, zone: string): number {
  const z = Temporal.Instant.fromEpochMilliseconds(fromMs).toZonedDateTimeISO(zone);
  const dated = z.add({
    years: (d.years ?? 0) * times,
    months: (d.months ?? 0) * times,
    weeks: (d.weeks ?? 0) * times,
    days: (d.days ?? 0) * times,
  });
  return dated.epochMilliseconds + (d.hours ?? 0) * times * 3_600_000;
}

/** Bucket labels of one instant for every calendar period. */
export type BucketLabels = Readonly<Record<Period, string>>;

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * The bucket of an instant for each period, in `zone`. Hours carry their UTC offset, so the
 * hour repeated when clocks go back is two buckets (two real hours), while a 23- or 25-hour
 * day is still one day.
 */
export function bucketLabels(ms: number, zone: string): BucketLabels {
  const z = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone);
  const date = `${pad(z.year, 4)}-${pad(z.month)}-${pad(z.day)}`;
  return {
    hourly: `${date}T${pad(z.hour)}:00${z.offset}`,
    daily: date,
    weekly: `${pad(z.yearOfWeek ?? z.year, 4)}-W${pad(z.weekOfYear ?? 0)}`,
    monthly: `${pad(z.year, 4)}-${pad(z.month)}`,
    quarterly: `${pad(z.year, 4)}-Q${Math.ceil(z.month / 3)}`,
    yearly: pad(z.year, 4),
  };
}

/** A cache of bucket labels keyed by instant, for one zone (simulations reuse it). */
export class LabelCache {
  readonly #zone: string;
  readonly #map = new Map<number, BucketLabels>();
  constructor(zone: string) {
    this.#zone = zone;
  }
  get zone(): string {
    return this.#zone;
  }
  get(ms: number): BucketLabels {
    let labels = this.#map.get(ms);
    if (labels === undefined) {
      labels = bucketLabels(ms, this.#zone);
      this.#map.set(ms, labels);
    }
    return labels;
  }
}
