import { Temporal as Polyfill } from 'temporal-polyfill';

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
