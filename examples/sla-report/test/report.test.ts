import { describe, expect, it } from 'vitest';
import { monthReport } from '../src/report.ts';
import { sampleLog } from '../src/sample-log.ts';

describe('the sample month', () => {
  const { report, html, text } = monthReport('2026-03', sampleLog);

  it('accounts March 2026 for the sample incident log', () => {
    expect(report.totals).toMatchObject({
      committedMinutes: 711 * 60,
      unplannedMinutes: 643, // INC-101, INC-102, INC-103+104 merged, CHG-9
      plannedMinutes: 90, // CHG-7
      maintenanceMinutes: 240, // CHG-8 inside Saturday's window
    });
    expect(report.availability).toBeCloseTo(1 - 733 / 42660, 12);
    expect(report.incidents.find((i) => i.id === 'INC-102')?.endRule).toBe('signed-off');
    expect(report.downtime.map((d) => `${d.id}:${d.kind}`)).toEqual([
      'CHG-7:planned',
      'CHG-8:maintenance',
      'CHG-9:unplanned',
    ]);
  });

  it('prints a readable summary and a self-contained page', () => {
    expect(text).toContain('availability        98.281 %  (target 99.500 %: MISSED)');
    expect(text).toContain('INC-103 update: no update for 2 h 25 min (target: every 2 h)');
    expect(text).toContain('CHG-9 unplanned   2026-03-29 09:00 → 2026-03-29 10:30  11.0 h notice');
    expect(html).toContain('<svg');
  });
});
