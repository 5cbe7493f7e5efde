import { cards, incidentTable, lists } from './_html-parts.ts';
import { esc, timelineSvg } from './_svg-timeline.ts';
import type { SlaReport } from './report.ts';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;margin:0;background:#f6f7f9}
main{max-width:1020px;margin:0 auto;padding:28px 20px 40px}
h1{font-size:24px;margin:0}h2{font-size:16px;margin:28px 0 10px}
.meta{color:#5b6475;margin:4px 0 18px}
.cards{display:grid;grid-template-columns:repeat(5,1fr);gap:10px}
.card{background:#fff;border-radius:10px;padding:12px 14px;box-shadow:0 1px 2px #0001;border-top:4px solid #c9ced8}
.card .label{font-size:12px;color:#5b6475;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:24px;font-weight:650;margin:2px 0}.card .sub{font-size:12px;color:#5b6475}
.card.good{border-color:#2e9d62}.card.good .value{color:#1f7a4a}.card.bad{border-color:#d2452d}.card.bad .value{color:#b8321c}.card.warn{border-color:#e39b27}
.panel{background:#fff;border-radius:10px;padding:12px;box-shadow:0 1px 2px #0001;overflow-x:auto}
.legend{display:flex;flex-wrap:wrap;gap:16px;font-size:12px;color:#3b4353;margin:0 0 8px 4px}
.legend i{display:inline-block;width:18px;height:10px;border-radius:2px;vertical-align:-1px;margin-right:6px}
svg text{font:11px system-ui,sans-serif;fill:#3b4353}svg .day.we{fill:#8a6d3b}svg .tick{fill:#6b7385}
svg .hr{stroke:#e3e6ec}svg .hr.major{stroke:#c9ced8}
svg .svc{fill:#dcebfb}svg .mw{fill:url(#hatch)}
svg .dt{rx:3px}svg .dt.unplanned{fill:#d9432b}svg .dt.planned{fill:#efa52f}svg .dt.maintenance{fill:#7b6fa8}
svg .inc{font-weight:600;fill:#3b2a25;paint-order:stroke;stroke:#fff;stroke-width:3px}svg .soft{fill:none;stroke:#8a93a6;stroke-dasharray:3 2}
svg .ev{stroke:#1d2330;stroke-width:2}svg .ev.accepted,svg .ev.signed-off{stroke:#1f7a4a;stroke-width:3}
table{width:100%;border-collapse:collapse;background:#fff;border-radius:10px;overflow:hidden;box-shadow:0 1px 2px #0001}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid #eceef2;vertical-align:top}th{font-size:12px;color:#5b6475;background:#fafbfc}
td.num{white-space:nowrap}td.c{text-align:center}.small{font-size:12px;color:#5b6475}
.prio{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px;color:#fff}
.prio.P1{background:#b8321c}.prio.P2{background:#e0702a}.prio.P3{background:#c99a1a}.prio.P4{background:#6b7385}
.kind{font-size:12px;font-weight:600}.kind.unplanned{color:#b8321c}.kind.planned{color:#b57400}.kind.maintenance{color:#5b4f91}
.ok{color:#1f7a4a;font-weight:700}.miss{color:#b8321c;font-weight:700}.pending{color:#8a6d3b;font-size:12px}
.breaches{background:#fff;border-radius:10px;padding:10px 10px 10px 30px;margin:0;box-shadow:0 1px 2px #0001}.none{color:#5b6475}
footer{margin-top:28px;font-size:12px;color:#6b7385}
`;

const LEGEND = `<div class="legend"><span><i style="background:#dcebfb"></i>service window</span>
<span><i style="background:repeating-linear-gradient(45deg,#e6e3f0 0 3px,#b9b2d3 3px 5px)"></i>maintenance window</span>
<span><i style="background:#d9432b"></i>unplanned downtime</span><span><i style="background:#efa52f"></i>planned downtime</span>
<span><i style="background:#7b6fa8"></i>work inside maintenance</span><span><i style="border:1px dashed #8a93a6;height:6px"></i>incident without downtime</span><span><i style="background:#1d2330;width:3px"></i>incident event</span>
<span><i style="background:#1f7a4a;width:3px"></i>accepted / signed off</span></div>`;

/**
 * Renders a report as one self-contained HTML page (inline CSS and SVG, no scripts, no external
 * resources): headline numbers, a month timeline with one row per local day, the incidents with
 * their targets, missed targets, and announced downtime. Every bar has a tooltip with exact times.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 *
 * const html = renderHtmlReport(sla.report({ month: '2026-03' }, log));
 * await writeFile('sla-2026-03.html', html);
 * ```
 */
export function renderHtmlReport(report: SlaReport): string {
  const r = report;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(r.title)}</title><style>${CSS}</style></head>
<body><main>
<h1>${esc(r.title)}</h1>
<div class="meta">${esc(r.profile)} · times in ${esc(r.zone)} · ${esc(r.period.localStart)} to ${esc(r.period.localEnd)}</div>
${cards(r)}
<h2>The month at a glance</h2>
<div class="panel">${LEGEND}${timelineSvg(r)}</div>
<h2>Incidents</h2>
${incidentTable(r)}
${lists(r)}
<footer>Availability = 1 − downtime ÷ committed time; committed time is the period minus the maintenance window.
Unavailability runs from the report (or the provider's earlier detection) to the coordinator's acceptance, or to the provider's
sign-off when that came outside the service window. Overlapping downtime is merged and counted once.</footer>
</main></body></html>
`;
}
