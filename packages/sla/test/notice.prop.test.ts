import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { createSla, defaultProfile } from '../src/index.ts';
import { transitions } from './arbitraries.ts';

const H = 3_600_000;
const ZONES = ['Europe/Amsterdam', 'America/New_York', 'Australia/Sydney'] as const;

describe('notice across every clock change of 2026–2030', () => {
  for (const zone of ZONES) {
    const sla = createSla({ ...defaultProfile, zone, maintenanceWindow: [], holidays: { country: 'NL' } });
    const changes = transitions(zone);

    it(`${zone}: notice is elapsed time, whatever the wall clocks say`, () => {
      expect(changes).toHaveLength(10);
      for (const change of changes) {
        fc.assert(
          fc.property(
            fc.integer({ min: 0, max: 24 * 60 }),
            fc.integer({ min: 1, max: 24 * 60 }),
            (before, after) => {
              const announcedAt = change - before * 60_000;
              const start = change + after * 60_000;
              const c = sla.classifyDowntime({ announcedAt, start, end: start + H });
              expect(c.noticeMs).toBe((before + after) * 60_000);
              expect(c.kind).toBe(before + after >= 12 * 60 ? 'planned' : 'unplanned');
              // The wall-clock difference differs by the size of the change; notice does not follow it.
              const a = Temporal.Instant.fromEpochMilliseconds(announcedAt).toZonedDateTimeISO(zone);
              const s = Temporal.Instant.fromEpochMilliseconds(start).toZonedDateTimeISO(zone);
              const wall = a.toPlainDateTime().until(s.toPlainDateTime(), { largestUnit: 'minutes' }).minutes;
              const shift = (s.offsetNanoseconds - a.offsetNanoseconds) / 60e9;
              expect(wall).toBe(before + after + shift);
            },
          ),
          { numRuns: 15 },
        );
      }
    });

    it(`${zone}: 21:00 the evening before a change to 09:00 on its day is 12 h ∓ the change`, () => {
      for (const change of changes) {
        const z = Temporal.Instant.fromEpochMilliseconds(change).toZonedDateTimeISO(zone);
        const day = z.toPlainDate();
        const shiftH = (z.offsetNanoseconds - z.subtract({ nanoseconds: 1 }).offsetNanoseconds) / 3600e9;
        const announcedAt = day
          .subtract({ days: 1 })
          .toZonedDateTime({ timeZone: zone, plainTime: '21:00' })
          .toInstant();
        const start = day.toZonedDateTime({ timeZone: zone, plainTime: '09:00' }).toInstant();
        const c = sla.classifyDowntime({ announcedAt, start, end: start.add({ hours: 1 }) });
        expect(c.noticeMs).toBe((12 - shiftH) * 3_600_000);
        expect(c.kind).toBe(shiftH > 0 ? 'unplanned' : 'planned');
      }
    });
  }
});
