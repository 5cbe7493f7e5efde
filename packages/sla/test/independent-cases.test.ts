import { describe, expect, it } from 'vitest';
import { createSla, type Incident } from '../src/index.ts';

// Cases worked out by hand from the service definition (articles 21.5, 22.2 and 23.1f), not from
// the implementation: Saturday 09:00–17:00 is the maintenance window, 12 h notice makes downtime
// planned, Monday to Friday 09:00–17:30 is the service window.
const sla = createSla();
const H = 3_600_000;

describe('classifyDowntime: notice and the maintenance window are separate answers', () => {
  it('never announced, inside the Saturday window: not planned, inside the window', () => {
    const c = sla.classifyDowntime({ start: '2026-02-14T10:00:00+01:00', end: '2026-02-14T12:00:00+01:00' });
    expect(c.planned).toBe(false);
    expect(c.insideMaintenanceWindow).toBe(true);
    expect(c.noticeMs).toBeUndefined();
    expect(c.kind).toBe('maintenance');
    expect(c.reasons).toContain('not announced in advance');
  });

  it('announced 25 h ahead, inside the window: planned and inside', () => {
    const c = sla.classifyDowntime({
      announcedAt: '2026-02-13T09:00:00+01:00',
      start: '2026-02-14T10:00:00+01:00',
      end: '2026-02-14T12:00:00+01:00',
    });
    expect([c.planned, c.insideMaintenanceWindow, c.noticeMs, c.kind]).toEqual([
      true,
      true,
      25 * H,
      'maintenance',
    ]);
  });

  it('announced 2 h ahead, inside the window: not planned, inside', () => {
    const c = sla.classifyDowntime({
      announcedAt: '2026-02-14T08:00:00+01:00',
      start: '2026-02-14T10:00:00+01:00',
      end: '2026-02-14T12:00:00+01:00',
    });
    expect([c.planned, c.insideMaintenanceWindow, c.noticeMs]).toEqual([false, true, 2 * H]);
  });

  it('never announced on a Tuesday morning: not planned, outside, unplanned', () => {
    const c = sla.classifyDowntime({ start: '2026-02-17T10:00:00+01:00', end: '2026-02-17T11:00:00+01:00' });
    expect([c.planned, c.insideMaintenanceWindow, c.overlapsServiceWindow, c.kind]).toEqual([
      false,
      false,
      true,
      'unplanned',
    ]);
  });

  it('announced exactly 12 h ahead is planned; one millisecond less is not', () => {
    const start = Date.parse('2026-02-18T22:00:00+01:00');
    const ok = sla.classifyDowntime({ announcedAt: start - 12 * H, start, end: start + H });
    const short = sla.classifyDowntime({ announcedAt: start - 12 * H + 1, start, end: start + H });
    expect([ok.planned, ok.noticeMs, ok.kind]).toEqual([true, 12 * H, 'planned']);
    expect([short.planned, short.noticeMs, short.kind]).toEqual([false, 12 * H - 1, 'unplanned']);
  });

  it('announced after it started: negative notice, in milliseconds', () => {
    const c = sla.classifyDowntime({
      announcedAt: '2026-02-17T10:30:00+01:00',
      start: '2026-02-17T10:00:00+01:00',
      end: '2026-02-17T11:00:00+01:00',
    });
    expect(c.noticeMs).toBe(-30 * 60_000);
    expect(c.planned).toBe(false);
  });
});

const signedOffInServiceWindow: Incident = {
  id: 'INC-9',
  impact: 'high',
  urgency: 'high',
  events: [
    { type: 'reported', at: '2026-03-10T10:00:00+01:00' },
    { type: 'acknowledged', at: '2026-03-10T10:05:00+01:00' },
    { type: 'restored', at: '2026-03-10T11:00:00+01:00' },
    { type: 'signed-off', at: '2026-03-10T11:05:00+01:00' }, // Tuesday, inside the service window
  ],
};

describe('an incident signed off in the service window and never accepted', () => {
  it('is flagged in the month it happened', () => {
    const r = sla.report({ month: '2026-03' }, { incidents: [signedOffInServiceWindow] });
    expect(r.incidents[0]!.endRule).toBe('open');
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({
      incident: 'INC-9',
      kind: 'awaiting-acceptance',
      since: '2026-03-10T10:05:00Z',
      localSince: '2026-03-10T11:05+01:00',
    });
    expect(r.warnings[0]!.message).toMatch(/never accepted/);
  });

  it('is flagged in every later month it wipes out (April 2026: availability 0)', () => {
    const r = sla.report({ month: '2026-04' }, { incidents: [signedOffInServiceWindow] });
    // April has 720 h, of which 4 Saturdays × 8 h are maintenance: all 688 committed hours are down.
    expect(r.totals.committedMinutes).toBe(688 * 60);
    expect(r.availability).toBe(0);
    expect(r.warnings.map((w) => w.incident)).toEqual(['INC-9']);
  });

  it('is not flagged once accepted, nor when signed off at night', () => {
    const accepted: Incident = {
      ...signedOffInServiceWindow,
      events: [...signedOffInServiceWindow.events, { type: 'accepted', at: '2026-03-10T11:30:00+01:00' }],
    };
    const night: Incident = {
      ...signedOffInServiceWindow,
      id: 'INC-10',
      events: [
        { type: 'reported', at: '2026-03-10T22:00:00+01:00' },
        { type: 'signed-off', at: '2026-03-10T23:30:00+01:00' },
      ],
    };
    const r = sla.report({ month: '2026-03' }, { incidents: [accepted, night] });
    expect(r.warnings).toEqual([]);
    expect(r.incidents.map((i) => [i.id, i.endRule, i.minutes])).toEqual([
      ['INC-9', 'accepted', 90],
      ['INC-10', 'signed-off', 90],
    ]);
    expect(sla.evaluateIncident(accepted).awaitingAcceptanceSince).toBeUndefined();
  });
});
