import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import type { RecurringWindow, Weekday } from '../src/index.ts';

/** Zones with DST north and south, half-hour DST (Lord Howe), none (Kolkata, UTC). */
export const ZONES = [
  'Europe/Amsterdam',
  'America/New_York',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'America/Santiago',
  'Europe/London',
  'America/St_Johns',
  'Asia/Kolkata',
  'UTC',
] as const;

export const zone = fc.constantFrom(...ZONES);

const pad = (n: number) => String(n).padStart(2, '0');
/** Local times, biased to the small hours where clocks change. */
export const hhmm = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 23 })),
    fc.constantFrom(0, 15, 30, 45, 59),
  )
  .map(([h, m]) => `${pad(h)}:${pad(m)}`);

const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export const recurringWindow: fc.Arbitrary<RecurringWindow> = fc
  .record(
    {
      weekdays: fc.subarray(WEEKDAYS, { minLength: 1 }),
      daysOfMonth: fc.uniqueArray(
        fc.integer({ min: -31, max: 31 }).filter((d) => d !== 0),
        { minLength: 1, maxLength: 8 },
      ),
      months: fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 12 }),
      start: hhmm,
      end: fc.oneof(hhmm, fc.constant('24:00')),
    },
    { requiredKeys: ['start', 'end'] },
  )
  .filter((w) => w.start !== w.end);

const FROM = Date.UTC(2026, 0, 1);
const TO = Date.UTC(2031, 0, 1);

/** Clock changes of a zone between 2026 and 2030, as epoch milliseconds. */
export function transitions(z: string, from = FROM, to = TO): number[] {
  const out: number[] = [];
  let cur = Temporal.Instant.fromEpochMilliseconds(from).toZonedDateTimeISO(z);
  for (;;) {
    const next = cur.getTimeZoneTransition('next');
    if (!next || next.epochMilliseconds >= to) return out;
    out.push(next.epochMilliseconds);
    cur = next;
  }
}

/** Instants in 2026–2030, often within a day of a clock change of `z`. */
export function instantNearChanges(z: string): fc.Arbitrary<number> {
  const changes = transitions(z);
  const anywhere = fc.integer({ min: FROM, max: TO });
  if (changes.length === 0) return anywhere;
  const near = fc
    .tuple(fc.constantFrom(...changes), fc.integer({ min: -36 * 3_600_000, max: 36 * 3_600_000 }))
    .map(([t, d]) => t + Math.round(d / 60_000) * 60_000);
  return fc.oneof(anywhere, near);
}
