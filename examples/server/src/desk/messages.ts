import type { Announcement, CapacityRequest } from './store.ts';
import type { IncidentView } from './views.ts';

/** An e-mail to queue. */
export interface Mail {
  to: string;
  subject: string;
  body: string;
  topic: string;
}

/** `2026-03-28 09:00 (+01:00)` in `zone`. */
export function localTime(t: number, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(t));
  const p = (k: string) => parts.find((x) => x.type === k)?.value ?? '';
  const offset = p('timeZoneName').replace('GMT', '') || '+00:00';
  return `${p('year')}-${p('month')}-${p('day')} ${p('hour')}:${p('minute')} (${offset})`;
}

const GiB = 2 ** 30;
const size = (b: number | undefined) =>
  b === undefined ? 'unlimited' : b % GiB === 0 ? `${b / GiB} GiB` : `${(b / 2 ** 20).toFixed(1)} MiB`;

const each = (to: string[], m: Omit<Mail, 'to'>): Mail[] => [...new Set(to)].map((t) => ({ ...m, to: t }));

/** The e-mails the desk sends. */
export const messages = {
  capacityRequested(r: CapacityRequest, to: string[]): Mail[] {
    return each(to, {
      topic: 'capacity-requested',
      subject: `[kluis] capacity request #${r.id} for ${r.account}: ${size(r.toBytes)}`,
      body: [
        `Capacity request #${r.id} for account ${r.account}, by ${r.requestedBy}.`,
        `From ${size(r.fromBytes)} to ${size(r.toBytes)}.`,
        `Due: ${r.dueDate} (3 working days, article 21.3).`,
        ...(r.note ? [`Note: ${r.note}`] : []),
      ].join('\n'),
    });
  },
  capacityFulfilled(r: CapacityRequest, onTime: boolean, to: string[]): Mail[] {
    return each(to, {
      topic: 'capacity-fulfilled',
      subject: `[kluis] capacity request #${r.id} fulfilled: ${r.account} now has ${size(r.toBytes)}`,
      body: [
        `Capacity request #${r.id} for account ${r.account} was fulfilled by ${r.fulfilledBy}.`,
        `The quota is now ${size(r.toBytes)}.`,
        `Due ${r.dueDate}: ${onTime ? 'on time' : 'LATE'}.`,
      ].join('\n'),
    });
  },
  announced(a: Announcement, zone: string, to: string[]): Mail[] {
    return each(to, {
      topic: 'maintenance-announced',
      subject: `[kluis] ${a.kind} maintenance ${localTime(a.start, zone)} – ${localTime(a.end, zone)}`,
      body: [
        `The backup service will be unavailable from ${localTime(a.start, zone)} to ${localTime(a.end, zone)}.`,
        `Reason: ${a.reason}`,
        a.kind === 'planned'
          ? 'This is planned downtime, announced with the agreed notice.'
          : 'This downtime is announced with less than the agreed 12 hours notice: it counts as unplanned.',
      ].join('\n'),
    });
  },
  incident(
    what: 'opened' | 'updated' | 'resolved' | 'closed',
    i: IncidentView,
    to: string[],
    zone: string,
  ): Mail[] {
    const last = i.events.at(-1)!;
    return each(to, {
      topic: `incident-${what}`,
      subject: `[kluis] incident #${i.id} ${what} (${i.priority}): ${i.title}`,
      body: [
        `Incident #${i.id} of account ${i.account}: ${i.title}`,
        `Priority ${i.priority} (impact ${i.impact}, urgency ${i.urgency}); progress updates every ${i.updateMinutes} min.`,
        `${last.type} at ${localTime(last.at, zone)} by ${last.by}${last.note ? `: ${last.note}` : ''}`,
        ...(what === 'resolved'
          ? [
              'Please confirm that the service is available again (accept the incident on the status page,',
              'or reply). Resolved outside the service window, the sign-off time ends the unavailability',
              '(article 23.1f); please confirm its receipt by phone.',
            ]
          : []),
      ].join('\n'),
    });
  },
  lockout(
    e: { key: string; failures: number; until: string; address: string | undefined },
    to: string,
  ): Mail[] {
    return each([to], {
      topic: 'lockout',
      subject: `[kluis] lockout: ${e.key}`,
      body: `${e.failures} failed logins for ${e.key}${e.address ? ` from ${e.address}` : ''}; locked out until ${e.until}.`,
    });
  },
};
