import { compileCalendar } from './_calendar.ts';
import { buildContext } from './_context.ts';
import { profileSchema } from './_profile-schema.ts';
import { calendarSchema, toIssues } from './_schemas.ts';
import type { SlaProfile } from './profile.ts';
import type { CalendarSpec, ValidationResult } from './types.ts';

function run(schema: typeof calendarSchema | typeof profileSchema, value: unknown, build: () => unknown) {
  const r = schema.safeParse(value);
  if (!r.success) return { ok: false, issues: toIssues(r.error) };
  try {
    build(); // checks beyond the shape: local times in DST gaps, end before start, holiday data
    return { ok: true, issues: [] };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const m = /^([\w.[\]]+): (.*)$/s.exec(message);
    const path = (m?.[1] ?? '(root)').replace(/^(calendar|SLA profile)\./, '');
    return { ok: false, issues: [{ path, message: m?.[2] ?? message }] };
  }
}

/**
 * Checks a calendar spec without throwing; `issues` name each field at fault.
 *
 * @example
 * ```ts
 * validateCalendar({ zone: 'Europe/Amsterdam', windows: [{ start: '25:00', end: '26:00' }] });
 * // { ok: false, issues: [{ path: 'windows[0].start', message: 'expected a local time HH:MM (00:00..23:59)' }, ...] }
 * ```
 */
export function validateCalendar(spec: unknown): ValidationResult {
  return run(calendarSchema, spec, () => compileCalendar(spec as CalendarSpec));
}

/**
 * Checks an SLA profile without throwing; `issues` name each field at fault.
 *
 * @example
 * ```ts
 * validateProfile({ ...defaultProfile, noticeHours: -1 }).issues[0]?.path; // 'noticeHours'
 * ```
 */
export function validateProfile(profile: unknown): ValidationResult {
  return run(profileSchema, profile, () => buildContext(profile as SlaProfile));
}
