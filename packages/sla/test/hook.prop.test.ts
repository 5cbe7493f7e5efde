import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSla, defaultProfile } from '../src/index.ts';
import { recurringWindow, zone } from './arbitraries.ts';

const START = Date.UTC(2026, 2, 20);
const instants = fc.array(fc.integer({ min: START, max: START + 20 * 86_400_000 }), {
  minLength: 1,
  maxLength: 25,
});

describe('isUnavailable properties', () => {
  it('a long-lived check answers like a fresh one, whatever order the requests come in', () => {
    fc.assert(
      fc.property(
        zone,
        fc.array(recurringWindow, { minLength: 1, maxLength: 2 }),
        instants,
        (z, windows, ts) => {
          const sla = createSla({
            ...defaultProfile,
            zone: z,
            serviceWindow: [],
            maintenanceWindow: windows,
          });
          const longLived = sla.unavailabilityCheck();
          for (const t of ts) {
            const got = longLived(t);
            const fresh = sla.unavailabilityCheck()(t);
            // Instants compare by value through their string form.
            expect({ ...got, until: got.until?.toString() }).toEqual({
              ...fresh,
              until: fresh.until?.toString(),
            });
            expect(got.unavailable).toBe(sla.maintenance.contains(t));
            if (got.unavailable) expect(got.retryAfterSeconds).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
