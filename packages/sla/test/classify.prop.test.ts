import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSla } from '../src/index.ts';

const sla = createSla();
const H = 3_600_000;
const FROM = Date.parse('2026-01-01T00:00:00Z');
const TO = Date.parse('2028-01-01T00:00:00Z');

const downtime = fc.record({
  start: fc.integer({ min: FROM, max: TO }).map((t) => t - (t % 60_000)),
  minutes: fc.integer({ min: 1, max: 24 * 60 }),
  notice: fc.option(fc.integer({ min: -6 * 60, max: 72 * 60 }), { nil: undefined }),
});

describe('classifyDowntime properties', () => {
  it('planned depends only on the notice, inside-window only on the time', () => {
    fc.assert(
      fc.property(downtime, ({ start, minutes, notice }) => {
        const end = start + minutes * 60_000;
        const announcedAt = notice === undefined ? undefined : start - notice * 60_000;
        const c = sla.classifyDowntime({ start, end, ...(announcedAt !== undefined ? { announcedAt } : {}) });
        const bare = sla.classifyDowntime({ start, end });
        expect(c.noticeMs).toBe(notice === undefined ? undefined : notice * 60_000);
        expect(c.planned).toBe(notice !== undefined && notice * 60_000 >= 12 * H);
        expect(c.insideMaintenanceWindow).toBe(bare.insideMaintenanceWindow);
        expect(bare.planned).toBe(false);
        expect(c.kind).toBe(c.insideMaintenanceWindow ? 'maintenance' : c.planned ? 'planned' : 'unplanned');
        // Inside the window means every minute of it is a maintenance minute.
        if (c.insideMaintenanceWindow) {
          expect(sla.maintenance.contains(start)).toBe(true);
          expect(sla.maintenance.contains(end - 1)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a signed-off incident is flagged exactly when the sign-off lies in the service window and no acceptance follows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: FROM, max: TO - 40 * 24 * H }),
        fc.integer({ min: 1, max: 48 * 60 }),
        fc.option(fc.integer({ min: 0, max: 48 * 60 }), { nil: undefined }),
        (reported, signAfter, acceptAfter) => {
          const signed = reported + signAfter * 60_000;
          const events = [
            { type: 'reported' as const, at: reported },
            { type: 'signed-off' as const, at: signed },
            ...(acceptAfter !== undefined
              ? [{ type: 'accepted' as const, at: signed + acceptAfter * 60_000 }]
              : []),
          ];
          const ev = sla.evaluateIncident({ id: 'X', impact: 'low', urgency: 'low', events }, TO);
          const flagged = sla.service.contains(signed) && acceptAfter === undefined;
          expect(ev.awaitingAcceptanceSince?.epochMilliseconds).toBe(flagged ? signed : undefined);
          expect(ev.endRule === 'open').toBe(flagged);
        },
      ),
      { numRuns: 200 },
    );
  });
});
