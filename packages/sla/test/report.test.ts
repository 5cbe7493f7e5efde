import { describe, expect, it } from 'vitest';
import { createSla, type DowntimeLog, defaultProfile, renderHtmlReport } from '../src/index.ts';

const log: DowntimeLog = {
  incidents: [
    {
      id: 'INC-<1>',
      title: 'Disk "failure" & more',
      impact: 'high',
      urgency: 'medium',
      events: [
        { type: 'reported', at: '2026-03-12T01:30:00+01:00' },
        { type: 'acknowledged', at: '2026-03-12T01:50:00+01:00' },
        { type: 'update', at: '2026-03-12T04:30:00+01:00', note: 'rebuilding' },
        { type: 'restored', at: '2026-03-12T05:10:00+01:00' },
        { type: 'signed-off', at: '2026-03-12T05:20:00+01:00' },
      ],
    },
    {
      id: 'OLD',
      impact: 'low',
      urgency: 'low',
      events: [
        { type: 'reported', at: '2026-01-05T10:00:00+01:00' },
        { type: 'accepted', at: '2026-01-05T11:00:00+01:00' },
      ],
    },
  ],
  downtime: [
    {
      id: 'CHG-1',
      announcedAt: '2026-03-28T21:00:00+01:00',
      start: '2026-03-29T09:00:00+02:00',
      end: '2026-03-29T10:00:00+02:00',
    },
  ],
};

describe('report', () => {
  const sla = createSla({ ...defaultProfile, availabilityTarget: 0.999 });
  const r = sla.report({ month: '2026-03' }, log);

  it('is plain JSON with the month in the service zone', () => {
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(r.period).toMatchObject({
      localStart: '2026-03-01T00:00+01:00',
      localEnd: '2026-04-01T00:00+02:00',
      minutes: 44580,
    });
    expect(r.totals).toEqual({
      committedMinutes: 42660,
      maintenanceWindowMinutes: 1920,
      plannedMinutes: 0,
      unplannedMinutes: 290,
      downtimeMinutes: 290,
      maintenanceMinutes: 0,
    });
    expect(r.availability).toBeCloseTo(1 - 290 / 42660, 12);
    expect(r.targetMet).toBe(false);
    expect(r.incidents.map((i) => i.id)).toEqual(['INC-<1>']); // OLD is outside March
    expect(r.incidents[0]).toMatchObject({ priority: 'P2', endRule: 'signed-off', minutes: 230 });
    expect(r.downtime[0]).toMatchObject({ id: 'CHG-1', kind: 'unplanned', noticeMs: 11 * 3_600_000 });
    expect(r.breaches.map((b) => b.kind)).toEqual(['update']);
    expect(r.maintenanceWindows).toHaveLength(4);
    expect(r.serviceWindows).toHaveLength(22);
  });

  it('renders self-contained, escaped HTML with an SVG timeline', () => {
    const html = renderHtmlReport(r);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(html).not.toMatch(/<script|<link|src=|url\(http/);
    expect(html).toContain('INC-&#60;1&#62;');
    expect(html).not.toContain('INC-<1>');
    expect(html).toContain('Disk &#34;failure&#34; &#38; more');
    expect((html.match(/class="day/g) ?? []).length).toBe(31);
    expect(html).toContain('99.320 %'); // availability, rounded down
  });
});
