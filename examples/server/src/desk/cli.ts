import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderHtmlReport } from '@kluis/sla';
import { AccessLog } from '../access-log.ts';
import type { Args, Command } from '../cli-admin.ts';
import { actorOf, type CliIo, configOf, formatBytes, parseSize } from '../cli-io.ts';
import { flagValue, UsageError, withFileFlags } from '../cli-usage.ts';
import { sqlDeskAccounts } from '../desk-views.ts';
import { isPostgresUrl } from '../sql.ts';
import { openStore } from '../store.ts';
import { Desk, parseTime } from './desk.ts';
import { openDeskStore } from './index.ts';
import { Mailer } from './mailer.ts';
import { localTime } from './messages.ts';
import type { DeskEventType } from './store.ts';
import type { CapacityView, IncidentView } from './views.ts';

const str = (v: Args['values'], k: string) => v[k] as string | undefined;

/** Opens the desk on the configured database (and the access log), runs `fn`, closes both. */
async function withDesk<T>(
  v: Args['values'],
  io: CliIo,
  fn: (desk: Desk, mailer: Mailer | undefined) => T | Promise<T>,
): Promise<T> {
  const config = configOf({ config: str(v, 'config'), data: str(v, 'data') }, io.env);
  const files = isPostgresUrl(config.database) ? [config.accessLog] : [config.database, config.accessLog];
  for (const f of files) mkdirSync(dirname(f), { recursive: true, mode: 0o700 });
  const server = await openStore(config.database, Date.now);
  let log: AccessLog | undefined;
  try {
    const store = await openDeskStore(server);
    const access = new AccessLog(config.accessLog);
    log = access;
    const desk = new Desk({
      store,
      accounts: sqlDeskAccounts(server.sql),
      now: Date.now,
      log: (e) => access.write({ ...e, address: 'cli' }),
      providerEmail: config.desk.providerEmail,
    });
    const mailer = config.desk.mail
      ? new Mailer(store, config.desk.mail, Date.now, (l) => io.err(`${l}\n`))
      : undefined;
    try {
      const r = await fn(desk, mailer);
      // What the command queued goes out now when mail is set up (else it waits for the server).
      await mailer?.flush();
      return r;
    } finally {
      mailer?.close();
    }
  } finally {
    log?.close();
    await server.close();
  }
}

const zone = (d: Desk) => d.profile.zone;

function capacityLine(r: CapacityView, z: string): string {
  const done =
    r.fulfilledAt !== undefined ? `, fulfilled ${localTime(r.fulfilledAt, z)} by ${r.fulfilledBy}` : '';
  const from = r.fromBytes === undefined ? 'unlimited' : formatBytes(r.fromBytes);
  return `#${r.id}  ${r.account}  ${from} -> ${formatBytes(r.toBytes)}  requested ${localTime(r.requestedAt, z)} by ${r.requestedBy}  due ${r.dueDate}  ${r.state}${done}\n`;
}

function incidentLine(i: IncidentView, z: string): string {
  const due =
    i.nextUpdateDue !== undefined
      ? `  next update due ${localTime(i.nextUpdateDue, z)}${i.updateOverdue ? ' OVERDUE' : ''}`
      : '';
  const minutes = Math.round(
    (i.evaluation.end.epochMilliseconds - i.evaluation.start.epochMilliseconds) / 60_000,
  );
  return `#${i.id}  ${i.account}  ${i.priority}  ${i.state}${i.state === 'closed' ? ` (${i.evaluation.endRule})` : ''}  ${minutes} min  ${i.title}${due}\n`;
}

const by = (v: Args['values']) => actorOf(str(v, 'by'));
const json = { type: 'boolean', help: 'print JSON instead of text' } as const;
const idOf = (raw: string, command: string) => {
  if (!/^\d+$/.test(raw)) throw new UsageError('give the number shown by the list command', command);
  return Number(raw);
};

/** `capacity request|list|fulfil`. */
export const CAPACITY_COMMANDS: Record<string, Command> = {
  request: {
    spec: {
      name: 'capacity request',
      args: 'ACCOUNT SIZE',
      summary:
        "Records a request to raise ACCOUNT's quota to SIZE (e.g. 20GiB); it is due 3 Dutch working days later.",
      positionals: { min: 2, max: 2 },
      flags: withFileFlags(
        {
          note: { type: 'string', arg: 'TEXT', help: 'e.g. the reference of the signed order confirmation' },
          at: {
            type: 'string',
            arg: 'TIME',
            help: 'when the signed order confirmation came in, if not now (ISO time with offset)',
          },
        },
        true,
      ),
    },
    async run({ values: v, positionals: [account = '', size = ''] }, io) {
      const toBytes = flagValue('capacity request', () => parseSize(size));
      const at = str(v, 'at');
      const r = await withDesk(v, io, async (d) => ({
        r: await d.requestCapacity({
          account,
          toBytes,
          note: str(v, 'note'),
          by: by(v),
          ...(at ? { at } : {}),
        }),
        z: zone(d),
      }));
      io.out(
        `capacity request #${r.r.id}: ${account} to ${formatBytes(r.r.toBytes)}, due ${r.r.dueDate} (end of day ${localTime(r.r.dueAt, r.z)})\n`,
      );
    },
  },
  list: {
    spec: {
      name: 'capacity list',
      args: '[ACCOUNT]',
      summary:
        'Lists capacity requests with their due date and state (open, due-soon, overdue, on-time, late).',
      positionals: { min: 0, max: 1 },
      flags: withFileFlags({ open: { type: 'boolean', help: 'only requests not yet fulfilled' }, json }),
    },
    async run({ values: v, positionals: [account] }, io) {
      const { list, z } = await withDesk(v, io, async (d) => ({
        list: await d.capacityRequests({
          ...(account ? { account } : {}),
          ...(v.open ? { open: true } : {}),
        }),
        z: zone(d),
      }));
      io.out(
        v.json
          ? `${JSON.stringify(list)}\n`
          : list.map((r) => capacityLine(r, z)).join('') || 'no capacity requests\n',
      );
    },
  },
  fulfil: {
    spec: {
      name: 'capacity fulfil',
      args: 'ID',
      summary:
        "Raises the account's quota as requested and closes the request, reporting it on time or late.",
      positionals: { min: 1, max: 1 },
      flags: withFileFlags({}, true),
    },
    async run({ values: v, positionals: [raw = ''] }, io) {
      const id = idOf(raw, 'capacity fulfil');
      const { r, z } = await withDesk(v, io, async (d) => ({
        r: await d.fulfilCapacity(id, by(v)),
        z: zone(d),
      }));
      io.out(capacityLine(r, z));
    },
  },
};

/** `maintenance announce|list|cancel`. */
export const MAINTENANCE_COMMANDS: Record<string, Command> = {
  announce: {
    spec: {
      name: 'maintenance announce',
      args: '',
      summary:
        'Announces downtime to every customer. Under 12 hours ahead it is refused as planned; --force records it as unplanned.',
      positionals: { min: 0, max: 0 },
      flags: withFileFlags(
        {
          start: {
            type: 'string',
            arg: 'TIME',
            help: 'ISO time with offset, e.g. 2026-03-28T09:00:00+01:00',
          },
          end: { type: 'string', arg: 'TIME', help: 'ISO time with offset' },
          reason: { type: 'string', arg: 'TEXT', help: 'what is done, told to the customers' },
          force: { type: 'boolean', help: 'record it even with too little notice (as unplanned downtime)' },
        },
        true,
      ),
    },
    async run({ values: v }, io) {
      for (const f of ['start', 'end', 'reason'])
        if (!str(v, f)) throw new UsageError(`give --${f}`, 'maintenance announce');
      const { a, z } = await withDesk(v, io, async (d) => ({
        a: await d.announce({
          start: str(v, 'start'),
          end: str(v, 'end'),
          reason: str(v, 'reason'),
          force: v.force === true,
          by: by(v),
        }),
        z: zone(d),
      }));
      io.out(
        `announcement #${a.id}: ${a.kind} downtime ${localTime(a.start, z)} – ${localTime(a.end, z)}: ${a.reason}\n`,
      );
    },
  },
  list: {
    spec: {
      name: 'maintenance list',
      args: '',
      summary: 'Lists maintenance in the coming days: announcements and the standing window.',
      positionals: { min: 0, max: 0 },
      flags: withFileFlags({
        days: { type: 'string', arg: 'N', help: 'how many days ahead (default 7)' },
        json,
      }),
    },
    async run({ values: v }, io) {
      const days = Number(str(v, 'days') ?? 7);
      if (!Number.isInteger(days) || days < 1 || days > 366)
        throw new UsageError('--days: 1..366', 'maintenance list');
      const { list, z } = await withDesk(v, io, async (d) => ({
        list: await d.upcomingMaintenance(days * 86_400_000),
        z: zone(d),
      }));
      if (v.json) return io.out(`${JSON.stringify(list)}\n`);
      io.out(
        list
          .map((w) => `${localTime(w.start, z)} – ${localTime(w.end, z)}  ${w.kind}  ${w.reason}\n`)
          .join('') || 'none\n',
      );
    },
  },
  cancel: {
    spec: {
      name: 'maintenance cancel',
      args: 'ID',
      summary: 'Cancels an announcement (the record stays).',
      positionals: { min: 1, max: 1 },
      flags: withFileFlags({}, true),
    },
    async run({ values: v, positionals: [raw = ''] }, io) {
      const id = idOf(raw, 'maintenance cancel');
      await withDesk(v, io, (d) => d.cancelAnnouncement(id, by(v)));
      io.out(`announcement #${id} cancelled\n`);
    },
  },
};

const EVENT_TYPES: DeskEventType[] = ['acknowledged', 'update', 'restored', 'signed-off', 'accepted'];
const AT = {
  type: 'string',
  arg: 'TIME',
  help: 'when it happened, if not now (ISO time with offset)',
} as const;

/** `incident open|list|record`. */
export const INCIDENT_COMMANDS: Record<string, Command> = {
  open: {
    spec: {
      name: 'incident open',
      args: 'ACCOUNT',
      summary:
        'Opens an incident for a customer: reported by them (phone, e-mail), or --detected by the provider.',
      positionals: { min: 1, max: 1 },
      flags: withFileFlags(
        {
          title: { type: 'string', arg: 'TEXT', help: 'what is wrong' },
          impact: { type: 'string', arg: 'LEVEL', help: 'high, medium or low' },
          urgency: { type: 'string', arg: 'LEVEL', help: 'high, medium or low' },
          detected: { type: 'boolean', help: 'the provider noticed it first (and tells the coordinator)' },
          at: AT,
        },
        true,
      ),
    },
    async run({ values: v, positionals: [account = ''] }, io) {
      const at = str(v, 'at');
      const { i, z } = await withDesk(v, io, async (d) => ({
        i: await d.openIncident({
          account,
          title: str(v, 'title'),
          impact: str(v, 'impact'),
          urgency: str(v, 'urgency'),
          source: v.detected ? 'detected' : 'reported',
          by: by(v),
          ...(at ? { at: flagValue('incident open', () => parseTime(at, '--at')) } : {}),
        }),
        z: zone(d),
      }));
      io.out(incidentLine(i, z));
    },
  },
  list: {
    spec: {
      name: 'incident list',
      args: '[ACCOUNT]',
      summary:
        'Lists incidents with priority, state, downtime and when the next progress update is due (OVERDUE when late).',
      positionals: { min: 0, max: 1 },
      flags: withFileFlags({ json }),
    },
    async run({ values: v, positionals: [account] }, io) {
      const { list, z } = await withDesk(v, io, async (d) => ({
        list: await d.incidents(account ? { account } : {}),
        z: zone(d),
      }));
      io.out(
        v.json
          ? `${JSON.stringify(list)}\n`
          : list.map((i) => incidentLine(i, z)).join('') || 'no incidents\n',
      );
    },
  },
  record: {
    spec: {
      name: 'incident record',
      args: 'ID EVENT',
      summary: `Records an EVENT (${EVENT_TYPES.join(', ')}): a progress message, the restoration, the provider's sign-off (ends the unavailability when outside the service window) or the coordinator's acceptance.`,
      positionals: { min: 2, max: 2 },
      flags: withFileFlags(
        { note: { type: 'string', arg: 'TEXT', help: 'what was done or said' }, at: AT },
        true,
      ),
    },
    async run({ values: v, positionals: [raw = '', type = ''] }, io) {
      const id = idOf(raw, 'incident record');
      if (!(EVENT_TYPES as string[]).includes(type))
        throw new UsageError(`the event is one of ${EVENT_TYPES.join(', ')}`, 'incident record');
      const at = str(v, 'at');
      const { i, z } = await withDesk(v, io, async (d) => ({
        i: await d.addIncidentEvent(id, {
          type: type as DeskEventType,
          by: by(v),
          note: str(v, 'note'),
          ...(at ? { at: flagValue('incident record', () => parseTime(at, '--at')) } : {}),
        }),
        z: zone(d),
      }));
      io.out(incidentLine(i, z));
    },
  },
};

/** `desk contact|report|mail`. */
export const DESK_COMMANDS: Record<string, Command> = {
  contact: {
    spec: {
      name: 'desk contact',
      args: 'ACCOUNT EMAIL',
      summary:
        "Sets the e-mail address of the customer's coordinator: incident, maintenance and capacity notices go there.",
      positionals: { min: 2, max: 2 },
      flags: withFileFlags({}, true),
    },
    async run({ values: v, positionals: [account = '', email = ''] }, io) {
      await withDesk(v, io, (d) => d.setContact(account, email, by(v)));
      io.out(`coordinator of ${account}: ${email}\n`);
    },
  },
  report: {
    spec: {
      name: 'desk report',
      args: 'ACCOUNT',
      summary: "Prints a customer's monthly availability report from the desk's incidents and announcements.",
      positionals: { min: 1, max: 1 },
      flags: withFileFlags({
        month: { type: 'string', arg: 'YYYY-MM', help: 'the month (default: this month)' },
        html: { type: 'boolean', help: 'print the HTML report (with its SVG timeline)' },
        json,
      }),
    },
    async run({ values: v, positionals: [account = ''] }, io) {
      const month = str(v, 'month') ?? new Date().toISOString().slice(0, 7);
      const r = await withDesk(v, io, (d) => d.report(account, month));
      if (v.html) return io.out(renderHtmlReport(r));
      if (v.json) return io.out(`${JSON.stringify(r, null, 2)}\n`);
      io.out(reportText(r));
    },
  },
  mail: {
    spec: {
      name: 'desk mail',
      args: '',
      summary:
        'Sends the e-mail still waiting in the outbox (the server also sends it as it is queued), and lists the outbox.',
      positionals: { min: 0, max: 0 },
      flags: withFileFlags({ json }),
    },
    async run({ values: v }, io) {
      const list = await withDesk(v, io, async (d, mailer) => {
        await mailer?.flush();
        return d.storage.outbox(50);
      });
      if (v.json) return io.out(`${JSON.stringify(list)}\n`);
      for (const m of list)
        io.out(
          `#${m.id}  ${m.sentAt ? `sent ${new Date(m.sentAt).toISOString()}` : `waiting (${m.attempts} attempts${m.lastError ? `: ${m.lastError}` : ''})`}  ${m.to}  ${m.subject}\n`,
        );
    },
  },
};

const pct = (x: number) => `${(Math.floor(x * 100_000) / 1000).toFixed(3)} %`;
const hm = (min: number) => `${Math.floor(min / 60)} h ${String(Math.round(min % 60)).padStart(2, '0')} min`;

/** The month's report as text. */
export function reportText(r: import('@kluis/sla').SlaReport): string {
  const t = r.totals;
  const lines = [
    `${r.title} (${r.zone})`,
    `availability        ${pct(r.availability)}`,
    `committed time      ${hm(t.committedMinutes)}  (month minus ${hm(t.maintenanceWindowMinutes)} maintenance window)`,
    `unplanned downtime  ${hm(t.unplannedMinutes)}`,
    `planned downtime    ${hm(t.plannedMinutes)}`,
    `inside maintenance  ${hm(t.maintenanceMinutes)}  (not counted)`,
    '',
    `incidents (${r.incidents.length})`,
    ...r.incidents.map(
      (i) =>
        `  ${i.id} ${i.priority}  ${i.localStart.slice(0, 16).replace('T', ' ')} -> ${i.localEnd.slice(0, 16).replace('T', ' ')}  ${i.unavailable ? hm(i.minutes) : 'no downtime'}  ended by ${i.endRule}`,
    ),
    `announced downtime (${r.downtime.length})`,
    ...r.downtime.map(
      (d) =>
        `  ${d.id} ${d.kind.padEnd(11)} ${d.localStart.slice(0, 16).replace('T', ' ')} -> ${d.localEnd.slice(0, 16).replace('T', ' ')}  ${d.noticeMs === null ? 'no notice' : `${(d.noticeMs / 3_600_000).toFixed(1)} h notice`}`,
    ),
    `missed targets (${r.breaches.length})`,
    ...r.breaches.map((b) => `  ${b.incident} ${b.kind}: ${b.message}`),
  ];
  if (r.warnings.length)
    lines.push(`WARNINGS (${r.warnings.length})`, ...r.warnings.map((w) => `  ${w.message}`));
  return `${lines.join('\n')}\n`;
}
