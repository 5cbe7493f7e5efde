import { formatDuration } from './_format.ts';
import { esc } from './_svg-timeline.ts';
import type { SlaReport } from './report.ts';

/** Minutes in words. */
export const dur = (min: number) => formatDuration(min * 60_000);

/** `2026-03-10T08:12+01:00` → `Tue 10 Mar 08:12`. */
export function when(local: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})/.exec(local);
  if (!m) return esc(local);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][
    Number(m[2]) - 1
  ];
  return `${wd} ${Number(m[3])} ${mon} ${m[4]}`;
}

export const pct = (x: number) => `${(Math.floor(x * 100_000) / 1000).toFixed(3)} %`;

function card(label: string, value: string, sub: string, cls = ''): string {
  return `<div class="card ${cls}"><div class="label">${esc(label)}</div><div class="value">${value}</div><div class="sub">${sub}</div></div>`;
}

/** The row of headline numbers. */
export function cards(r: SlaReport): string {
  const t = r.totals;
  const target = r.availabilityTarget;
  const ok = r.targetMet ?? true;
  const incidents = r.incidents.length;
  return `<section class="cards">
${card('Availability', pct(r.availability), target !== undefined ? `target ${pct(target)} · ${ok ? 'met' : 'missed'}` : 'no target set', ok ? 'good' : 'bad')}
${card('Unplanned downtime', dur(t.unplannedMinutes), `${r.periods.filter((p) => p.kind === 'unplanned').length} stretch(es), overlaps merged`, t.unplannedMinutes > 0 ? 'warn' : '')}
${card('Planned downtime', dur(t.plannedMinutes), 'announced with enough notice')}
${card('In maintenance window', dur(t.maintenanceMinutes), `of ${dur(t.maintenanceWindowMinutes)} reserved; not counted`)}
${card('Incidents', String(incidents), `${r.breaches.length} missed target(s)`, r.breaches.length ? 'warn' : '')}
</section>`;
}

function mark(met: boolean | null): string {
  return met === null
    ? '<span class="pending">pending</span>'
    : met
      ? '<span class="ok">✓</span>'
      : '<span class="miss">✗</span>';
}

/** The incident table. */
export function incidentTable(r: SlaReport): string {
  if (r.incidents.length === 0) return '<p class="none">No incidents in this period.</p>';
  const rows = r.incidents.map(
    (i) => `<tr><td><b>${esc(i.id)}</b><div class="small">${esc(i.title ?? '')}</div></td>
<td><span class="prio ${esc(i.priority)}">${esc(i.priority)}</span></td>
<td>${when(i.localStart)} → ${when(i.localEnd)}<div class="small">${esc(i.reasons.join('; '))}</div></td>
<td class="num">${i.unavailable ? dur(i.minutes) : '<span class="small">no downtime</span>'}</td>
<td>${esc(i.endRule)}</td><td class="c">${mark(i.response.met)}</td><td class="c">${mark(i.resolution.met)}</td></tr>`,
  );
  return `<table><thead><tr><th>Incident</th><th>Priority</th><th>Unavailable</th><th>Duration</th><th>Ended by</th><th>Response</th><th>Resolution</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

/** Missed targets and downtime records. */
export function lists(r: SlaReport): string {
  const breaches = r.breaches.length
    ? `<ul class="breaches">${r.breaches.map((b) => `<li><b>${esc(b.incident)}</b> ${esc(b.kind)}: ${esc(b.message)}</li>`).join('')}</ul>`
    : '<p class="none">All response, update and resolution targets met.</p>';
  const downtime = r.downtime.length
    ? `<table><thead><tr><th>Downtime</th><th>When</th><th>Counts as</th><th>Why</th></tr></thead><tbody>${r.downtime
        .map(
          (d) =>
            `<tr><td><b>${esc(d.id)}</b></td><td>${when(d.localStart)} → ${when(d.localEnd)}</td><td><span class="kind ${esc(d.kind)}">${esc(d.kind)}</span></td><td class="small">${esc(d.reasons.join('; '))}</td></tr>`,
        )
        .join('\n')}</tbody></table>`
    : '<p class="none">No announced downtime.</p>';
  const warnings = r.warnings.length
    ? `<h2>Check before trusting these numbers</h2><ul class="breaches warnings">${r.warnings.map((w) => `<li><b>${esc(w.incident)}</b> ${esc(w.kind)}: ${esc(w.message)}</li>`).join('')}</ul>`
    : '';
  return `${warnings}<h2>Missed targets</h2>${breaches}<h2>Announced downtime</h2>${downtime}`;
}
