import { z } from 'zod';
import { alwaysClock, type Clock, calendarClock } from './_clock.ts';
import type { Context } from './_context.ts';
import { formatDuration, formatMinutes } from './_format.ts';
import { parseOrThrow } from './_schemas.ts';
import { instant, localString, toEpochMs } from './_temporal.ts';
import type { Breach, EndRule, Incident, IncidentEvaluation, TargetCheck } from './incident.ts';
import { priorityOf } from './priority.ts';
import type { Priority } from './profile.ts';

const level = z.enum(['high', 'medium', 'low']);
const incidentSchema = z
  .object({
    id: z.string().min(1),
    title: z.string().optional(),
    impact: level,
    urgency: level,
    priority: z.enum(['P1', 'P2', 'P3', 'P4']).optional(),
    unavailable: z.boolean().optional(),
    events: z
      .array(
        z
          .object({
            type: z.enum([
              'reported',
              'detected',
              'acknowledged',
              'update',
              'restored',
              'accepted',
              'signed-off',
            ]),
            at: z.unknown(),
            note: z.string().optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

interface Ev {
  type: string;
  at: number;
}

const PROVIDER = new Set(['acknowledged', 'update', 'restored', 'signed-off']);

function parse(input: Incident): { inc: Incident; events: Ev[]; start: number } {
  const inc = parseOrThrow(incidentSchema, input, `incident ${String(input?.id ?? '')}`.trim()) as Incident;
  const events: Ev[] = inc.events
    .map((e, i) => ({ type: e.type, at: toEpochMs(e.at, `incident ${inc.id}: events[${i}].at`) }))
    .sort((a, b) => a.at - b.at);
  const first = events.find((e) => e.type === 'reported' || e.type === 'detected');
  if (!first) {
    throw new RangeError(
      `incident ${inc.id}: events: needs a 'reported' or 'detected' event to start the clock`,
    );
  }
  return { inc, events, start: first.at };
}

/** Evaluates one incident; `asOf` (epoch ms) closes open incidents and pending deadlines. */
export function evaluate(ctx: Context, input: Incident, asOf: number | undefined): IncidentEvaluation {
  const { inc, events, start } = parse(input);
  const now = asOf ?? events[events.length - 1]!.at;
  const { end, rule, reasons, awaiting } = unavailabilityEnd(ctx, events, start, now);
  const detectedFirst = events.find((e) => e.at === start)?.type === 'detected';
  reasons.unshift(
    `starts at ${localString(start, ctx.zone)}: ${detectedFirst ? 'the provider detected it before any report' : 'the report was received'}`,
  );
  const priority = inc.priority ?? priorityOf(ctx.profile, inc.impact, inc.urgency);
  const checks = targets(ctx, inc.id, priority, events, { start, end, now });
  return {
    id: inc.id,
    ...(inc.title !== undefined ? { title: inc.title } : {}),
    priority,
    target: ctx.profile.targets[priority],
    start: instant(start),
    end: instant(Math.max(start, end)),
    endRule: rule,
    unavailable: inc.unavailable ?? true,
    ...checks,
    ...(awaiting !== undefined ? { awaitingAcceptanceSince: instant(awaiting) } : {}),
    reasons,
  };
}

interface Times {
  start: number;
  end: number;
  now: number;
}

function targets(ctx: Context, id: string, priority: Priority, events: Ev[], { start, end, now }: Times) {
  const target = ctx.profile.targets[priority];
  const clock = target.clock === '24/7' ? alwaysClock : calendarClock(ctx.service);
  // A detection the provider reported before any report is the provider's first message.
  const messages = events
    .filter((e) => PROVIDER.has(e.type) || (e.type === 'detected' && e.at === start))
    .map((e) => e.at)
    .filter((t) => t >= start);
  const restored = events.find((e) => e.type === 'restored')?.at;
  const due = (minutes: number) => {
    const t = clock.add(start, minutes * 60_000);
    if (Number.isFinite(t)) return t;
    throw new RangeError(
      `targets.${priority}.clock: 'business' never runs (the service window has no occurrence)`,
    );
  };
  const response = check(due(target.responseMinutes), messages[0], now);
  const resolution = check(due(target.resolutionMinutes), restored, now);
  const breaches: Breach[] = [];
  if (response.met === false) breaches.push(breach(id, 'response', response, target.responseMinutes));
  const quietUntil = Math.min(restored ?? end, now);
  breaches.push(...updateBreaches(id, clock, messages, quietUntil, target.updateMinutes));
  if (resolution.met === false) breaches.push(breach(id, 'resolution', resolution, target.resolutionMinutes));
  return { response, resolution, breaches };
}

function unavailabilityEnd(ctx: Context, events: Ev[], start: number, now: number) {
  const accepted = events.find((e) => e.type === 'accepted' && e.at >= start)?.at;
  const signed = events.find((e) => e.type === 'signed-off' && e.at >= start)?.at;
  const z = ctx.zone;
  if (
    signed !== undefined &&
    ctx.service.at(signed) === undefined &&
    (accepted === undefined || accepted > signed)
  ) {
    const why = `ends at the provider's sign-off (${localString(signed, z)}): it came outside the service window, when the coordinator could not confirm`;
    return { end: signed, rule: 'signed-off' as EndRule, reasons: [why] };
  }
  if (accepted !== undefined) {
    return {
      end: accepted,
      rule: 'accepted' as EndRule,
      reasons: [`ends when the coordinator accepted the restoration (${localString(accepted, z)})`],
    };
  }
  const why =
    signed !== undefined
      ? `still open: signed off inside the service window (${localString(signed, z)}), so the coordinator's acceptance is awaited`
      : 'still open: not yet accepted by the coordinator';
  return {
    end: now,
    rule: 'open' as EndRule,
    reasons: [`${why}; counted up to ${localString(now, z)}`],
    awaiting: signed,
  };
}

function check(due: number, at: number | undefined, now: number): TargetCheck {
  const met = at !== undefined ? at <= due : now > due ? false : undefined;
  return { due: instant(due), ...(at !== undefined ? { at: instant(at) } : {}), met };
}

function breach(id: string, kind: 'response' | 'resolution', c: TargetCheck, minutes: number): Breach {
  const late = c.at
    ? `came ${formatDuration(c.at.epochMilliseconds - c.due.epochMilliseconds)} late`
    : 'never came';
  const message = `${kind} ${late} (target: ${formatMinutes(minutes)})`;
  return { incident: id, kind, due: c.due, ...(c.at ? { at: c.at } : {}), message };
}

/** One breach per silence longer than the update interval, from the first response until `until`. */
function updateBreaches(
  id: string,
  clock: Clock,
  messages: number[],
  until: number,
  minutes: number,
): Breach[] {
  const out: Breach[] = [];
  if (messages.length === 0) return out;
  const every = minutes * 60_000;
  let prev = messages[0]!;
  for (let i = 1; ; i++) {
    const due = clock.add(prev, every);
    if (due >= until) break;
    const next = messages[i];
    if (next !== undefined && next <= due) {
      prev = next;
      continue;
    }
    const gap = formatDuration((next ?? until) - prev);
    const message = `no update for ${gap}${next === undefined ? ' (none since)' : ''} (target: every ${formatMinutes(minutes)})`;
    out.push({
      incident: id,
      kind: 'update',
      due: instant(due),
      ...(next !== undefined ? { at: instant(next) } : {}),
      message,
    });
    if (next === undefined) break;
    prev = next;
  }
  return out;
}
