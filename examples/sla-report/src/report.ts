import { createSla, type DowntimeLog, defaultProfile, renderHtmlReport, type SlaReport } from '@kluis/sla';

// Rounded down, so a report never shows more availability than was delivered.
const pct = (x: number) => `${(Math.floor(x * 100_000) / 1000).toFixed(3)} %`;
const hm = (min: number) => `${Math.floor(min / 60)} h ${String(Math.round(min % 60)).padStart(2, '0')} min`;
const local = (s: string) => s.slice(0, 16).replace('T', ' ');

/** Builds the month's report for a log, as JSON, HTML and a plain-text summary. */
export function monthReport(
  month: string,
  log: DowntimeLog,
): { report: SlaReport; html: string; text: string } {
  const sla = createSla({ ...defaultProfile, availabilityTarget: 0.995 });
  const report = sla.report({ month }, log);
  return { report, html: renderHtmlReport(report), text: summary(report) };
}

function summary(r: SlaReport): string {
  const t = r.totals;
  const lines = [
    `${r.title} (${r.zone})`,
    '',
    `availability        ${pct(r.availability)}  (target ${pct(r.availabilityTarget ?? 0)}: ${r.targetMet ? 'met' : 'MISSED'})`,
    `committed time      ${hm(t.committedMinutes)}  (month minus ${hm(t.maintenanceWindowMinutes)} maintenance window)`,
    `unplanned downtime  ${hm(t.unplannedMinutes)}`,
    `planned downtime    ${hm(t.plannedMinutes)}`,
    `inside maintenance  ${hm(t.maintenanceMinutes)}  (not counted)`,
    '',
    'incidents',
  ];
  for (const i of r.incidents) {
    const down = i.unavailable ? hm(i.minutes) : 'no downtime';
    lines.push(
      `  ${i.id} ${i.priority}  ${local(i.localStart)} → ${local(i.localEnd)}  ${down}  ended by ${i.endRule}`,
    );
  }
  lines.push('', 'downtime');
  for (const d of r.downtime) {
    const notice = d.noticeMs === null ? 'no notice' : `${(d.noticeMs / 3_600_000).toFixed(1)} h notice`;
    lines.push(`  ${d.id} ${d.kind.padEnd(11)} ${local(d.localStart)} → ${local(d.localEnd)}  ${notice}`);
  }
  if (r.warnings.length > 0) {
    lines.push('', `WARNINGS (${r.warnings.length})`);
    for (const w of r.warnings) lines.push(`  ${w.message}`);
  }
  lines.push('', `missed targets (${r.breaches.length})`);
  for (const b of r.breaches) lines.push(`  ${b.incident} ${b.kind}: ${b.message}`);
  return lines.join('\n');
}
