import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSla, type DowntimeAnnouncement, defaultProfile, mergeIntervals } from '../src/index.ts';
import { recurringWindow, zone } from './arbitraries.ts';

const MONTH_START = Date.UTC(2026, 2, 1) - 2 * 86_400_000;
const MONTH_END = Date.UTC(2026, 3, 1) + 2 * 86_400_000;
const span = (minLength: number) =>
  fc
    .tuple(
      fc.integer({ min: MONTH_START, max: MONTH_END }),
      fc.integer({ min: minLength, max: 3 * 86_400_000 }),
    )
    .map(([s, len]) => ({ start: s, end: s + len }));
const interval = span(0);
const downtime: fc.Arbitrary<DowntimeAnnouncement> = fc
  .tuple(span(1), fc.option(fc.integer({ min: 0, max: 48 * 3_600_000 }), { nil: undefined }))
  .map(([i, notice]) => (notice === undefined ? i : { ...i, announcedAt: i.start - notice }));
const profile = fc.record({ zone, maintenance: fc.array(recurringWindow, { maxLength: 2 }) });

describe('availability properties', () => {
  it('lies in [0, 1] and never rises when downtime is added', () => {
    fc.assert(
      fc.property(
        profile,
        fc.array(downtime, { maxLength: 6 }),
        downtime,
        ({ zone, maintenance }, log, extra) => {
          const sla = createSla({
            ...defaultProfile,
            zone,
            maintenanceWindow: maintenance,
            serviceWindow: [],
          });
          const before = sla.availability({ month: '2026-03' }, { downtime: log });
          const after = sla.availability({ month: '2026-03' }, { downtime: [...log, extra] });
          for (const a of [before, after]) {
            expect(a.availability).toBeGreaterThanOrEqual(0);
            expect(a.availability).toBeLessThanOrEqual(1);
            expect(a.downtimeMs).toBeLessThanOrEqual(a.committedMs);
            expect(a.committedMs + a.maintenanceWindowMs).toBe(a.periodMs);
          }
          expect(after.availability).toBeLessThanOrEqual(before.availability);
          expect(after.downtimeMs).toBeGreaterThanOrEqual(before.downtimeMs);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('never counts the same minute twice: duplicating the log changes nothing', () => {
    fc.assert(
      fc.property(fc.array(downtime, { maxLength: 6 }), (log) => {
        const sla = createSla();
        const once = sla.availability({ month: '2026-03' }, { downtime: log });
        const twice = sla.availability({ month: '2026-03' }, { downtime: [...log, ...log].reverse() });
        expect(twice.downtimeMs).toBe(once.downtimeMs);
        expect(twice.plannedMs).toBe(once.plannedMs);
        expect(twice.unplannedMs).toBe(once.unplannedMs);
      }),
      { numRuns: 40 },
    );
  });
});

describe('merging properties', () => {
  const key = (xs: { start: { toString(): string }; end: { toString(): string } }[]) =>
    xs.map((x) => `${x.start}/${x.end}`);

  it('is idempotent and independent of order', () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 12 }), fc.func(fc.integer()), (xs, rank) => {
        const merged = mergeIntervals(xs);
        expect(key(mergeIntervals(merged))).toEqual(key(merged));
        const shuffled = [...xs].sort((a, b) => rank(a.start, a.end) - rank(b.start, b.end));
        expect(key(mergeIntervals(shuffled))).toEqual(key(merged));
        for (let i = 1; i < merged.length; i++) {
          expect(merged[i]!.start.epochMilliseconds).toBeGreaterThan(merged[i - 1]!.end.epochMilliseconds);
        }
        // Every input instant is covered by exactly one merged interval.
        for (const x of xs) {
          if (x.end === x.start) continue;
          const cover = merged.filter(
            (m) => m.start.epochMilliseconds <= x.start && x.end <= m.end.epochMilliseconds,
          );
          expect(cover).toHaveLength(1);
        }
      }),
    );
  });
});
