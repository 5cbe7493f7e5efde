import type { Temporal } from 'temporal-polyfill';
import type { Level, Priority, PriorityTarget } from './profile.ts';
import type { InstantInput } from './types.ts';

/**
 * What happened in an incident, as far as the agreement cares:
 * `reported` (the helpdesk received the report), `detected` (the provider noticed and told the
 * coordinator), `acknowledged` and `update` (progress messages), `restored` (service works again),
 * `accepted` (the coordinator confirmed availability), `signed-off` (the provider's closing e-mail).
 *
 * @example
 * ```ts
 * const e: IncidentEventType = 'signed-off';
 * ```
 */
export type IncidentEventType =
  | 'reported'
  | 'detected'
  | 'acknowledged'
  | 'update'
  | 'restored'
  | 'accepted'
  | 'signed-off';

/**
 * One event of an incident's timeline.
 *
 * @example
 * ```ts
 * const e: IncidentEvent = { type: 'reported', at: '2026-03-10T08:12:00+01:00', note: 'phone call' };
 * ```
 */
export interface IncidentEvent {
  type: IncidentEventType;
  at: InstantInput;
  note?: string;
}

/**
 * An incident: its impact and urgency (giving the priority unless `priority` overrides it) and its
 * timeline. `unavailable: false` marks an incident that did not stop users from using their
 * capacity: it still has targets but adds no downtime.
 *
 * @example
 * ```ts
 * const incident: Incident = {
 *   id: 'INC-1', impact: 'high', urgency: 'high',
 *   events: [
 *     { type: 'reported', at: '2026-03-10T08:12:00+01:00' },
 *     { type: 'acknowledged', at: '2026-03-10T08:20:00+01:00' },
 *     { type: 'restored', at: '2026-03-10T09:40:00+01:00' },
 *     { type: 'accepted', at: '2026-03-10T10:05:00+01:00' },
 *   ],
 * };
 * ```
 */
export interface Incident {
  id: string;
  title?: string;
  impact: Level;
  urgency: Level;
  priority?: Priority;
  unavailable?: boolean;
  events: IncidentEvent[];
}

/**
 * A target the provider missed (or, for an open incident, has already missed at `asOf`).
 *
 * @example
 * ```ts
 * import { Temporal } from 'temporal-polyfill';
 *
 * const b: Breach = { incident: 'INC-1', kind: 'update', due: Temporal.Instant.from('2026-03-10T09:20Z'), message: 'no update for 1 h 40 min (target: every 1 h)' };
 * ```
 */
export interface Breach {
  incident: string;
  kind: 'response' | 'update' | 'resolution';
  due: Temporal.Instant;
  /** When the late message came; absent when it never came before `asOf`. */
  at?: Temporal.Instant;
  message: string;
}

/**
 * How an incident's end of unavailability was decided.
 *
 * @example
 * ```ts
 * const r: EndRule = 'signed-off'; // provider signed off at night, when acceptance could not be sent
 * ```
 */
export type EndRule = 'accepted' | 'signed-off' | 'open';

/**
 * An incident measured against the profile.
 *
 * @example
 * ```ts
 * const ev: IncidentEvaluation = sla.evaluateIncident(incident);
 * ev.priority; // 'P1'
 * ev.breaches.length; // 0
 * ```
 */
export interface IncidentEvaluation {
  id: string;
  title?: string;
  priority: Priority;
  target: PriorityTarget;
  /** Start of unavailability: the earlier of `reported` and `detected`. */
  start: Temporal.Instant;
  /** End of unavailability by {@link EndRule} (`asOf` while open). */
  end: Temporal.Instant;
  endRule: EndRule;
  /** Whether the incident counts as downtime. */
  unavailable: boolean;
  response: TargetCheck;
  resolution: TargetCheck;
  breaches: Breach[];
  /**
   * Set when the provider signed off inside the service window and the coordinator has not (yet)
   * accepted: the incident then stays open (article 23.1f) and keeps counting as downtime up to
   * `asOf`, so a forgotten acceptance can wipe out whole months. Reports flag it.
   */
  awaitingAcceptanceSince?: Temporal.Instant;
  /** Why `start` and `end` are what they are, in words. */
  reasons: string[];
}

/**
 * One deadline: when it was due, when it was met (if yet), whether it was met (`undefined` while
 * still open and not yet due).
 *
 * @example
 * ```ts
 * import { Temporal } from 'temporal-polyfill';
 *
 * const c: TargetCheck = { due: Temporal.Instant.from('2026-03-10T07:27Z'), met: true, at: Temporal.Instant.from('2026-03-10T07:20Z') };
 * ```
 */
export interface TargetCheck {
  due: Temporal.Instant;
  at?: Temporal.Instant;
  met: boolean | undefined;
}
