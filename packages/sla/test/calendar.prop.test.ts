import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { createCalendar } from '../src/index.ts';
import { instantNearChanges, recurringWindow, transitions, ZONES, zone } from './arbitraries.ts';

const DAY = 86_400_000;
const schedule = zone.chain((z) =>
  fc.record({
    z: fc.constant(z),
    windows: fc.array(recurringWindow, { minLength: 1, maxLength: 3 }),
    t: instantNearChanges(z),
  }),
);

describe('calendar properties', () => {
  it('membership agrees with the occurrence listing and with next()', () => {
    fc.assert(
      fc.property(schedule, ({ z, windows, t }) => {
        const cal = createCalendar({ zone: z, windows });
        const listed = cal.between(t - 3 * DAY, t + 3 * DAY);
        const inside = listed.some((o) => o.start.epochMilliseconds <= t && t < o.end.epochMilliseconds);
        expect(cal.contains(t)).toBe(inside);
        const at = cal.occurrenceAt(t);
        expect(at === undefined).toBe(!inside);
        const first = cal.next(t, 1, { horizonYears: 1 })[0];
        if (inside) expect(first!.start.epochMilliseconds).toBeLessThanOrEqual(t);
        if (first) expect(first.end.epochMilliseconds).toBeGreaterThan(t);
        // Every listed occurrence is ordered and non-empty.
        for (let i = 0; i < listed.length; i++) {
          expect(listed[i]!.end.epochMilliseconds).toBeGreaterThan(listed[i]!.start.epochMilliseconds);
          if (i)
            expect(listed[i]!.start.epochMilliseconds).toBeGreaterThanOrEqual(
              listed[i - 1]!.start.epochMilliseconds,
            );
        }
      }),
    );
  });

  it('next(t, n) equals the first n occurrences listed after t', () => {
    fc.assert(
      fc.property(schedule, fc.integer({ min: 1, max: 4 }), ({ z, windows, t }, n) => {
        const cal = createCalendar({ zone: z, windows });
        const key = (o: { start: Temporal.Instant; end: Temporal.Instant }) => `${o.start}/${o.end}`;
        const horizon = t + 40 * DAY;
        const listed = cal.between(t, horizon).slice(0, n);
        const next = cal.next(t, n, { horizonYears: 1 });
        expect(next.slice(0, listed.length).map(key)).toEqual(listed.map(key));
        // Fewer listed than asked for: the rest of next() starts after the listing's horizon.
        for (const o of next.slice(listed.length))
          expect(o.start.epochMilliseconds).toBeGreaterThanOrEqual(horizon);
      }),
      { numRuns: 40 },
    );
  });

  it('reports no window at a skipped local time, and the first of a repeated one', () => {
    fc.assert(
      fc.property(zone, recurringWindow, (z, w) => {
        const daily = { start: w.start, end: w.end };
        const cal = createCalendar({ zone: z, windows: [daily] });
        for (const change of transitions(z).slice(0, 4)) {
          const occ = cal.between(change - 3 * DAY, change + 3 * DAY);
          const starts = new Set(occ.map((o) => o.localStart.slice(0, 16)));
          const first = Temporal.Instant.fromEpochMilliseconds(change - 2 * DAY)
            .toZonedDateTimeISO(z)
            .toPlainDate();
          for (let d = first.add({ days: 1 }), i = 0; i < 3; i++, d = d.add({ days: 1 })) {
            const pdt = d.toPlainDateTime(Temporal.PlainTime.from(w.start));
            const exists = pdt.toZonedDateTime(z, { disambiguation: 'later' }).toPlainDateTime().equals(pdt);
            expect(starts.has(pdt.toString().slice(0, 16))).toBe(exists);
          }
          for (const o of occ) {
            // Each occurrence starts at the window's wall time, at its earliest instant.
            expect(o.localStart.slice(11, 16)).toBe(w.start);
            const pdt = Temporal.PlainDateTime.from(o.localStart.slice(0, 16));
            expect(o.start.epochMilliseconds).toBe(
              pdt.toZonedDateTime(z, { disambiguation: 'earlier' }).epochMilliseconds,
            );
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('finds ten clock changes 2026–2030 in each test zone with DST', () => {
    for (const z of ['Europe/Amsterdam', 'America/New_York', 'Australia/Sydney'] as const) {
      expect(transitions(z)).toHaveLength(10);
    }
    expect(ZONES).toContain('Australia/Lord_Howe');
  });
});
