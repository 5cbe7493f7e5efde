import { describe, expect, it } from 'vitest';
import { createSla, defaultProfile, type Incident } from '../src/index.ts';

const sla = createSla();
const iso = (t: { toString(): string } | undefined) => t?.toString();

function incident(events: Incident['events'], over: Partial<Incident> = {}): Incident {
  return { id: 'INC-1', impact: 'high', urgency: 'high', events, ...over };
}

describe('the unavailability period', () => {
  it('starts at the report and ends at the coordinator’s acceptance', () => {
    const e = sla.evaluateIncident(
      incident([
        { type: 'reported', at: '2026-03-10T10:00:00+01:00' },
        { type: 'acknowledged', at: '2026-03-10T10:05:00+01:00' },
        { type: 'restored', at: '2026-03-10T11:00:00+01:00' },
        { type: 'accepted', at: '2026-03-10T11:20:00+01:00' },
      ]),
    );
    expect([iso(e.start), iso(e.end), e.endRule]).toEqual([
      '2026-03-10T09:00:00Z',
      '2026-03-10T10:20:00Z',
      'accepted',
    ]);
    expect(e.priority).toBe('P1');
    expect(e.breaches).toEqual([]);
  });

  it('starts at the provider’s detection when it came first', () => {
    const e = sla.evaluateIncident(
      incident([
        { type: 'reported', at: '2026-03-10T10:30:00+01:00' },
        { type: 'detected', at: '2026-03-10T10:00:00+01:00' },
        { type: 'accepted', at: '2026-03-10T11:00:00+01:00' },
      ]),
    );
    expect(iso(e.start)).toBe('2026-03-10T09:00:00Z');
    expect(e.reasons[0]).toMatch(/provider detected it before any report/);
    expect(e.response.met).toBe(true); // the detection message is the first response
  });

  it('ends at the sign-off when that came at night, even if acceptance followed in the morning', () => {
    const e = sla.evaluateIncident(
      incident([
        { type: 'reported', at: '2026-03-12T01:30:00+01:00' },
        { type: 'acknowledged', at: '2026-03-12T01:40:00+01:00' },
        { type: 'update', at: '2026-03-12T02:30:00+01:00' },
        { type: 'restored', at: '2026-03-12T03:10:00+01:00' },
        { type: 'signed-off', at: '2026-03-12T03:20:00+01:00' },
        { type: 'accepted', at: '2026-03-12T09:15:00+01:00' },
      ]),
    );
    expect([iso(e.end), e.endRule]).toEqual(['2026-03-12T02:20:00Z', 'signed-off']);
    expect(e.reasons[1]).toMatch(/outside the service window/);
  });

  it('waits for acceptance after a sign-off inside the service window', () => {
    const e = sla.evaluateIncident(
      incident([
        { type: 'reported', at: '2026-03-12T10:00:00+01:00' },
        { type: 'acknowledged', at: '2026-03-12T10:05:00+01:00' },
        { type: 'restored', at: '2026-03-12T10:50:00+01:00' },
        { type: 'signed-off', at: '2026-03-12T11:00:00+01:00' },
      ]),
      '2026-03-12T12:00:00+01:00',
    );
    expect([iso(e.end), e.endRule]).toEqual(['2026-03-12T11:00:00Z', 'open']);
  });

  it('refuses an incident without a report or detection', () => {
    expect(() => sla.evaluateIncident(incident([{ type: 'update', at: '2026-03-12T10:00:00Z' }]))).toThrow(
      /incident INC-1: events: needs a 'reported' or 'detected' event/,
    );
    // @ts-expect-error not an event type
    expect(() => sla.evaluateIncident(incident([{ type: 'fixed', at: '2026-03-12T10:00:00Z' }]))).toThrow(
      /events\[0\]\.type/,
    );
    expect(() => sla.evaluateIncident(incident([{ type: 'reported', at: 'yesterday' }]))).toThrow(
      /events\[0\]\.at/,
    );
  });
});

describe('targets', () => {
  it('reports a late response, missed updates and a late resolution (P1, 24/7)', () => {
    const e = sla.evaluateIncident(
      incident([
        { type: 'reported', at: '2026-03-14T22:00:00+01:00' },
        { type: 'acknowledged', at: '2026-03-14T22:30:00+01:00' },
        { type: 'update', at: '2026-03-14T23:15:00+01:00' },
        { type: 'update', at: '2026-03-15T01:00:00+01:00' },
        { type: 'restored', at: '2026-03-15T03:00:00+01:00' },
        { type: 'signed-off', at: '2026-03-15T03:05:00+01:00' },
      ]),
    );
    expect(e.breaches.map((b) => `${b.kind} ${iso(b.due)} ${b.message}`)).toEqual([
      'response 2026-03-14T21:15:00Z response came 15 min late (target: 15 min)',
      'update 2026-03-14T23:15:00Z no update for 1 h 45 min (target: every 1 h)',
      'update 2026-03-15T01:00:00Z no update for 2 h (target: every 1 h)',
      'resolution 2026-03-15T01:00:00Z resolution came 1 h late (target: 4 h)',
    ]);
  });

  it('runs P3 clocks in business hours only', () => {
    // Reported Friday 16:30: 1 h of Friday counts, the rest runs from Monday 09:00.
    const e = sla.evaluateIncident(
      incident(
        [
          { type: 'reported', at: '2026-03-13T16:30:00+01:00' },
          { type: 'acknowledged', at: '2026-03-16T11:00:00+01:00' },
        ],
        { impact: 'medium', urgency: 'medium' },
      ),
      '2026-03-16T12:00:00+01:00',
    );
    expect(e.priority).toBe('P3');
    expect(iso(e.response.due)).toBe('2026-03-16T11:00:00Z'); // Mon 12:00 local (4 h business)
    expect(e.response.met).toBe(true);
    expect(e.resolution.met).toBeUndefined(); // not yet due
  });

  it('honours a priority override and unavailable: false', () => {
    const e = sla.evaluateIncident(
      incident([{ type: 'reported', at: '2026-03-10T10:00:00+01:00' }], {
        priority: 'P4',
        unavailable: false,
      }),
      '2026-03-10T11:00:00+01:00',
    );
    expect([e.priority, e.unavailable, e.response.met]).toEqual(['P4', false, undefined]);
  });

  it('refuses a business clock that never runs', () => {
    const noHours = createSla({ ...defaultProfile, serviceWindow: [] });
    expect(() =>
      noHours.evaluateIncident(
        incident([{ type: 'reported', at: '2026-03-10T10:00:00+01:00' }], { impact: 'low', urgency: 'low' }),
      ),
    ).toThrow("targets.P4.clock: 'business' never runs");
  });
});
