import type { Level, Priority, SlaProfile } from './profile.ts';

const LEVELS: readonly Level[] = ['high', 'medium', 'low'];

/**
 * The priority of an incident from its impact (how many users, how much capacity) and urgency
 * (how soon it hurts), by the profile's matrix.
 *
 * @example
 * ```ts
 * priorityOf(defaultProfile, 'high', 'medium'); // 'P2'
 * priorityOf(defaultProfile, 'low', 'low'); // 'P4'
 * ```
 */
export function priorityOf(
  profile: Pick<SlaProfile, 'priorityMatrix'>,
  impact: Level,
  urgency: Level,
): Priority {
  if (!LEVELS.includes(impact)) throw new RangeError(`impact: expected high, medium or low, got "${impact}"`);
  if (!LEVELS.includes(urgency))
    throw new RangeError(`urgency: expected high, medium or low, got "${urgency}"`);
  return profile.priorityMatrix[impact][urgency];
}
