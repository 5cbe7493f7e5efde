import { T } from './_temporal.ts';
import type { SlaReport } from './report.ts';

const W = 980;
const LEFT = 92;
const RIGHT = 16;
const TOP = 34;
const ROW = 20;
const PLOT = W - LEFT - RIGHT;

/** Escapes text for HTML and SVG. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Piece {
  row: number;
  x1: number;
  x2: number;
}

/** Cuts `[start, end)` into pieces per local day of the report, as hour offsets 0..24. */
function pieces(r: SlaReport, start: string, end: string, days: string[]): Piece[] {
  const out: Piece[] = [];
  const s = T.Instant.from(start).epochMilliseconds;
  const e = T.Instant.from(end).epochMilliseconds;
  let cur = s;
  while (cur < e) {
    const z = T.Instant.fromEpochMilliseconds(cur).toZonedDateTimeISO(r.zone);
    const next = z.toPlainDate().add({ days: 1 }).toZonedDateTime({ timeZone: r.zone }).epochMilliseconds;
    const stop = Math.min(e, next);
    const row = days.indexOf(z.toPlainDate().toString());
    const hz = T.Instant.fromEpochMilliseconds(stop).toZonedDateTimeISO(r.zone);
    const x2 = stop === next ? 24 : hz.hour + hz.minute / 60 + hz.second / 3600;
    const x1 = z.hour + z.minute / 60 + z.second / 3600;
    if (row >= 0) out.push({ row, x1, x2: Math.max(x1 + 0.05, x2) });
    cur = stop;
  }
  return out;
}

const xOf = (h: number) => LEFT + (h / 24) * PLOT;
const yOf = (row: number) => TOP + row * ROW;

function rect(p: Piece, inset: number, attrs: string, title: string): string {
  const x = xOf(p.x1);
  const w = Math.max(2, xOf(p.x2) - x);
  return `<rect x="${x.toFixed(1)}" y="${yOf(p.row) + inset}" width="${w.toFixed(1)}" height="${ROW - 2 * inset}" ${attrs}><title>${esc(title)}</title></rect>`;
}

function localDays(r: SlaReport): string[] {
  const first = T.Instant.from(r.period.start).toZonedDateTimeISO(r.zone).toPlainDate();
  const endZ = T.Instant.from(r.period.end).toZonedDateTimeISO(r.zone);
  const days: string[] = [];
  for (let d = first; ; d = d.add({ days: 1 })) {
    const c = T.PlainDate.compare(d, endZ.toPlainDate());
    if (c > 0 || (c === 0 && endZ.hour === 0 && endZ.minute === 0) || days.length > 400) break;
    days.push(d.toString());
  }
  return days;
}

function grid(days: string[]): string[] {
  const out: string[] = [];
  const names = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  days.forEach((d, i) => {
    const pd = T.PlainDate.from(d);
    const weekend = pd.dayOfWeek >= 6;
    out.push(
      `<rect x="${LEFT}" y="${yOf(i)}" width="${PLOT}" height="${ROW}" fill="${weekend ? '#f4f1ec' : i % 2 ? '#fbfbfc' : '#ffffff'}"/>`,
    );
    out.push(
      `<text x="${LEFT - 10}" y="${yOf(i) + ROW / 2 + 4}" text-anchor="end" class="day${weekend ? ' we' : ''}">${names[pd.dayOfWeek - 1]} ${pd.day}</text>`,
    );
  });
  for (let h = 0; h <= 24; h += 3) {
    const x = xOf(h).toFixed(1);
    out.push(
      `<line x1="${x}" x2="${x}" y1="${TOP - 4}" y2="${yOf(days.length)}" class="${h % 12 ? 'hr' : 'hr major'}"/>`,
    );
    out.push(
      `<text x="${x}" y="${TOP - 10}" text-anchor="middle" class="tick">${String(h).padStart(2, '0')}:00</text>`,
    );
  }
  return out;
}

/** The month as one row per local day, hours across: windows, downtime and incident events. */
export function timelineSvg(r: SlaReport): string {
  const days = localDays(r);
  const parts = grid(days);
  for (const s of r.serviceWindows) {
    for (const p of pieces(r, s.start, s.end, days))
      parts.push(rect(p, 2, 'class="svc"', `${s.name} ${s.localStart} – ${s.localEnd}`));
  }
  for (const m of r.maintenanceWindows) {
    for (const p of pieces(r, m.start, m.end, days))
      parts.push(rect(p, 2, 'class="mw"', `${m.name} ${m.localStart} – ${m.localEnd}`));
  }
  for (const d of r.periods) {
    const what = `${d.kind} ${d.localStart} – ${d.localEnd} (${d.sources.join(', ')})`;
    for (const p of pieces(r, d.start, d.end, days)) parts.push(rect(p, 4, `class="dt ${d.kind}"`, what));
  }
  parts.push(...labels(r, days));
  for (const inc of r.incidents) parts.push(...eventMarks(r, inc, days));
  const h = yOf(days.length) + 8;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="Timeline of ${esc(r.title)}">
<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e6e3f0"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b9b2d3" stroke-width="2"/></pattern></defs>
${parts.join('\n')}
</svg>`;
}

function label(p: Piece, text: string): string {
  const right = p.x2 < 19;
  const x = right ? xOf(p.x2) + 6 : xOf(p.x1) - 6;
  const anchor = right ? 'start' : 'end';
  return `<text x="${x.toFixed(1)}" y="${yOf(p.row) + ROW / 2 + 4}" text-anchor="${anchor}" class="inc">${esc(text)}</text>`;
}

/** Labels each downtime stretch once with what caused it, e.g. `INC-103 P2 + INC-104 P2`. */
function labels(r: SlaReport, days: string[]): string[] {
  const prio = new Map(r.incidents.map((i) => [i.id, `${i.id} ${i.priority}`]));
  const out: string[] = [];
  for (const d of r.periods) {
    const p = pieces(r, d.start, d.end, days)[0];
    if (p) out.push(label(p, d.sources.map((id) => prio.get(id) ?? id).join(' + ')));
  }
  for (const inc of r.incidents) {
    if (inc.unavailable) continue;
    const ps = pieces(r, inc.start, inc.end, days);
    for (const p of ps)
      out.push(rect(p, 7, 'class="soft"', `${inc.id} (no downtime) ${inc.localStart} – ${inc.localEnd}`));
    if (ps[0]) out.push(label(ps[0], `${inc.id} ${inc.priority}`));
  }
  return out;
}

function eventMarks(r: SlaReport, inc: SlaReport['incidents'][number], days: string[]): string[] {
  const out: string[] = [];
  for (const ev of inc.events) {
    const p = pieces(r, ev.at, T.Instant.from(ev.at).add({ seconds: 1 }).toString(), days)[0];
    if (!p) continue;
    const x = xOf(p.x1).toFixed(1);
    const y = yOf(p.row);
    const text = `${inc.id} ${ev.type} ${ev.local}${ev.note ? ` – ${ev.note}` : ''}`;
    out.push(
      `<line x1="${x}" x2="${x}" y1="${y + 2}" y2="${y + ROW - 2}" class="ev ${ev.type}"><title>${esc(text)}</title></line>`,
    );
  }
  return out;
}
