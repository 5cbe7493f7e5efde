import { localTime } from './messages.ts';
import type { Announcement } from './store.ts';
import type { CapacityView, IncidentView } from './views.ts';

type Window = { start: number; end: number; reason: string; kind: string };
type Usage = { used: number; quota: number | undefined };

/** What a desk page shows. */
export type Page =
  | { kind: 'login'; next: string | undefined; csrf: string; error?: string }
  | { kind: 'error'; message: string; back?: string }
  | {
      kind: 'status';
      csrf: string;
      who: string;
      now: number;
      zone: string;
      month: string;
      availability: number;
      warnings: string[];
      usage: Usage;
      incidents: IncidentView[];
      capacity: CapacityView[];
      upcoming: Window[];
      current: Window[];
    }
  | {
      kind: 'provider';
      csrf: string;
      canAct: boolean;
      who: string;
      now: number;
      zone: string;
      month: string;
      customers: { account: string; usage: Usage; availability: number; contact: string | undefined }[];
      incidents: IncidentView[];
      capacity: CapacityView[];
      announcements: Announcement[];
      upcoming: Window[];
      reportAccount: string | undefined;
    };

/** The pages' only stylesheet, served from `/-/desk/desk.css` (no inline style: the CSP forbids it). */
export const STYLESHEET = `body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
header{background:#1d2330;color:#fff;padding:10px 24px;display:flex;justify-content:space-between;align-items:center}
header form{margin:0}main{max-width:1100px;margin:0 auto;padding:16px 24px}
h1{font-size:20px;margin:0}h2{font-size:17px;margin:24px 0 8px}
table{border-collapse:collapse;width:100%;background:#fff;box-shadow:0 1px 2px #0001}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e5ea;vertical-align:top}th{font-size:13px;color:#5b6475}
.num{text-align:right}.big{font-size:28px;font-weight:600}.bad{color:#b8321c;font-weight:600}.ok{color:#22803a}
.warn{background:#fff4e5;border-left:4px solid #efa52f;padding:8px 12px;margin:8px 0}
.card{background:#fff;box-shadow:0 1px 2px #0001;padding:12px 16px;margin:8px 0;border-radius:8px}
form.inline{display:inline}label{display:inline-block;margin:4px 8px 4px 0}
input,select,button{font:inherit;padding:3px 6px}button{cursor:pointer}
.small{font-size:13px;color:#5b6475}`;

const esc = (s: unknown) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
const pct = (x: number) => `${(Math.floor(x * 100_000) / 1000).toFixed(3)} %`;
const bytes = (b: number | undefined) => {
  if (b === undefined) return 'unlimited';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = b;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) [v, u] = [v / 1024, u + 1];
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
};

function layout(title: string, body: string, who?: string, csrf?: string): string {
  const logout = who
    ? `<form method="post" action="/-/desk/logout"><span>${esc(who)}</span> <input type="hidden" name="csrf" value="${esc(csrf ?? '')}"><button>Log out</button></form>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><link rel="stylesheet" href="/-/desk/desk.css"></head><body><header><h1>${esc(title)}</h1>${logout}</header><main>${body}</main></body></html>`;
}

const hidden = (csrf: string, action: string, extra: Record<string, string | number> = {}) =>
  `<input type="hidden" name="csrf" value="${esc(csrf)}"><input type="hidden" name="action" value="${esc(action)}">${Object.entries(
    extra,
  )
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('')}`;

const levels = (name: string) =>
  `<select name="${name}">${['high', 'medium', 'low'].map((l) => `<option${l === 'medium' ? ' selected' : ''}>${l}</option>`).join('')}</select>`;

function windows(list: Window[], zone: string, empty: string): string {
  if (list.length === 0) return `<p class="small">${esc(empty)}</p>`;
  return `<table><thead><tr><th>From</th><th>Until</th><th>What</th><th>Kind</th></tr></thead><tbody>${list
    .map(
      (w) =>
        `<tr><td>${esc(localTime(w.start, zone))}</td><td>${esc(localTime(w.end, zone))}</td><td>${esc(w.reason)}</td><td>${esc(w.kind)}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

function incidentRows(
  list: IncidentView[],
  zone: string,
  actions: (i: IncidentView) => string,
  showAccount: boolean,
): string {
  if (list.length === 0) return '<p class="small">No incidents.</p>';
  return `<table class="incidents"><thead><tr><th>#</th>${showAccount ? '<th>Customer</th>' : ''}<th>Title</th><th>Priority</th><th>State</th><th>Opened</th><th>Next update due</th><th>Downtime</th><th></th></tr></thead><tbody>${list
    .map((i) => {
      const minutes = Math.round(
        (i.evaluation.end.epochMilliseconds - i.evaluation.start.epochMilliseconds) / 60_000,
      );
      const due =
        i.nextUpdateDue === undefined
          ? '—'
          : `${esc(localTime(i.nextUpdateDue, zone))}${i.updateOverdue ? ' <span class="bad">OVERDUE</span>' : ''}`;
      return `<tr data-incident="${i.id}"><td>${i.id}</td>${showAccount ? `<td>${esc(i.account)}</td>` : ''}<td>${esc(i.title)}</td><td>${esc(i.priority)}</td><td class="state">${esc(i.state)}${i.state === 'closed' ? ` (${esc(i.evaluation.endRule)})` : ''}</td><td>${esc(localTime(i.events[0]!.at, zone))}</td><td>${due}</td><td class="num">${minutes} min</td><td>${actions(i)}</td></tr>`;
    })
    .join('')}</tbody></table>`;
}

function capacityRows(
  list: CapacityView[],
  zone: string,
  actions: (r: CapacityView) => string,
  showAccount: boolean,
): string {
  if (list.length === 0) return '<p class="small">No capacity requests.</p>';
  return `<table><thead><tr><th>#</th>${showAccount ? '<th>Customer</th>' : ''}<th>From</th><th>To</th><th>Requested</th><th>Due</th><th>State</th><th></th></tr></thead><tbody>${list
    .map(
      (r) =>
        `<tr><td>${r.id}</td>${showAccount ? `<td>${esc(r.account)}</td>` : ''}<td>${bytes(r.fromBytes)}</td><td>${bytes(r.toBytes)}</td><td>${esc(localTime(r.requestedAt, zone))}</td><td>${esc(r.dueDate)}</td><td class="${r.state === 'overdue' || r.state === 'late' ? 'bad' : r.state === 'due-soon' ? 'warn' : ''}">${esc(r.state)}</td><td>${actions(r)}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

/**
 * Renders a desk page: plain HTML and one stylesheet, no script. Every form carries the session's
 * CSRF token.
 *
 * @example
 * ```ts
 * renderPage({ kind: 'login', next: '/-/status', csrf: 'token-of-the-login-cookie' });
 * ```
 */
export function renderPage(p: Page): string {
  if (p.kind === 'login') {
    return layout(
      'kluis desk: log in',
      `${p.error ? `<p class="warn">${esc(p.error)}</p>` : ''}<form method="post" action="/-/desk/login" class="card"><input type="hidden" name="csrf" value="${esc(p.csrf)}"><input type="hidden" name="next" value="${esc(p.next ?? '')}"><label>Account <input name="account" autocomplete="username" required></label><label>Password <input name="password" type="password" autocomplete="current-password" required></label><button>Log in</button></form>`,
    );
  }
  if (p.kind === 'error') {
    return layout(
      'kluis desk',
      `<p class="warn">${esc(p.message)}</p>${p.back ? `<p><a href="${esc(p.back)}">Back</a></p>` : ''}`,
    );
  }
  if (p.kind === 'status') {
    const accept = (i: IncidentView) =>
      i.state === 'restored'
        ? `<form method="post" action="/-/status" class="inline">${hidden(p.csrf, 'incident-event', { id: i.id, type: 'accepted' })}<button>Accept: the service works again</button></form>`
        : '';
    const body = `
${p.current.length ? `<p class="warn">Maintenance now: ${esc(p.current.map((w) => `${w.reason} until ${localTime(w.end, p.zone)}`).join('; '))}</p>` : ''}
<section class="card"><div class="small">Availability ${esc(p.month)}</div><div class="big" id="availability">${pct(p.availability)}</div>
${p.warnings.map((w) => `<p class="warn">${esc(w)}</p>`).join('')}
<div class="small">Usage: ${bytes(p.usage.used)} of ${bytes(p.usage.quota)}</div></section>
<h2>Announced maintenance (next 14 days)</h2>${windows(p.upcoming, p.zone, 'None.')}
<h2>Incidents</h2>${incidentRows(p.incidents, p.zone, accept, false)}
<form method="post" action="/-/status" class="card" id="report-incident">${hidden(p.csrf, 'incident-report')}<label>What is wrong <input name="title" required maxlength="200"></label><label>Impact ${levels('impact')}</label><label>Urgency ${levels('urgency')}</label><button>Report incident</button></form>
<h2>Capacity requests</h2>${capacityRows(p.capacity, p.zone, () => '', false)}
<form method="post" action="/-/status" class="card">${hidden(p.csrf, 'capacity-request')}<label>New quota <input name="size" placeholder="20GiB" required></label><label>Note <input name="note"></label><button>Request capacity</button></form>`;
    return layout(`Service status: ${p.who}`, body, p.who, p.csrf);
  }
  const act = p.canAct;
  const incidentActions = (i: IncidentView) =>
    !act || i.state === 'closed'
      ? ''
      : `<form method="post" action="/-/desk/" class="inline">${hidden(p.csrf, 'incident-event', { id: i.id })}<select name="type">${['update', 'acknowledged', 'restored', 'signed-off', 'accepted'].map((t) => `<option>${t}</option>`).join('')}</select><input name="note" placeholder="note"><button>Record</button></form>`;
  const capacityActions = (r: CapacityView) =>
    act && r.fulfilledAt === undefined
      ? `<form method="post" action="/-/desk/" class="inline">${hidden(p.csrf, 'capacity-fulfil', { id: r.id })}<button>Fulfil</button></form>`
      : r.fulfilledAt !== undefined
        ? `<span class="small">by ${esc(r.fulfilledBy)} ${esc(localTime(r.fulfilledAt, p.zone))}</span>`
        : '';
  const overdue = p.incidents.filter((i) => i.updateOverdue);
  const nearing = p.capacity.filter((r) => r.state === 'due-soon' || r.state === 'overdue');
  const body = `
<h2>Customers (${esc(p.month)})</h2><table id="customers"><thead><tr><th>Account</th><th>Coordinator</th><th class="num">Used</th><th class="num">Quota</th><th class="num">Availability</th><th></th></tr></thead><tbody>${p.customers
    .map(
      (c) =>
        `<tr data-account="${esc(c.account)}"><td>${esc(c.account)}</td><td>${esc(c.contact ?? '—')}</td><td class="num">${bytes(c.usage.used)}</td><td class="num">${bytes(c.usage.quota)}</td><td class="num availability">${pct(c.availability)}</td><td><a href="/-/desk/report?account=${encodeURIComponent(c.account)}&amp;month=${esc(p.month)}&amp;format=html">report</a></td></tr>`,
    )
    .join('')}</tbody></table>
<h2>Incidents with overdue updates (${overdue.length})</h2>${overdue.length ? incidentRows(overdue, p.zone, () => '', true) : '<p class="small">None.</p>'}
<h2>Capacity requests nearing their due date (${nearing.length})</h2>${nearing.length ? capacityRows(nearing, p.zone, capacityActions, true) : '<p class="small">None.</p>'}
<h2>All incidents</h2>${incidentRows(p.incidents, p.zone, incidentActions, true)}
<h2>Capacity requests</h2>${capacityRows(p.capacity, p.zone, capacityActions, true)}
<h2>Maintenance (next 7 days)</h2>${windows(p.upcoming, p.zone, 'None.')}
${act ? `<form method="post" action="/-/desk/" class="card">${hidden(p.csrf, 'announce')}<label>Start <input name="start" placeholder="2026-03-28T09:00:00+01:00" required></label><label>End <input name="end" required></label><label>Reason <input name="reason" required></label><label><input type="checkbox" name="force"> record as unplanned if under 12 h notice</label><button>Announce</button></form>` : ''}`;
  return layout('kluis desk: provider view', body, p.who, p.csrf);
}
