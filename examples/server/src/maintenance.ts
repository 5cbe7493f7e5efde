import { KluisError } from '@kluis/core';
import { createSla, defaultProfile, type SlaProfile, validateProfile, type WindowSpec } from '@kluis/sla';
import type { MaintenanceConfig } from './config.ts';

/** The server's state at one moment, as the REST handler's `availability` hook wants it. */
export interface MaintenanceState {
  unavailable: boolean;
  readOnly: boolean;
  /** Seconds until the current window (and any back-to-back downtime) ends. */
  retryAfterSeconds: number | undefined;
  /** The window or downtime in progress, if any. */
  window: { name: string; end: string } | undefined;
}

const OUTSIDE: MaintenanceState = {
  unavailable: false,
  readOnly: false,
  retryAfterSeconds: undefined,
  window: undefined,
};

/**
 * Turns the maintenance configuration into a function of time, through `@kluis/sla`: its default
 * profile's window (Saturdays 09:00–17:00 Europe/Amsterdam) unless `windows`/`zone` say otherwise,
 * plus announced `downtime` periods. Inside one, the server is unavailable or read-only (by
 * `mode`) and tells clients when to come back.
 *
 * @example
 * ```ts
 * const state = maintenanceSchedule({ mode: 'read-only' });
 * state(Date.parse('2026-03-28T10:00:00+01:00')).readOnly; // true (a Saturday)
 * ```
 */
export function maintenanceSchedule(config: MaintenanceConfig): (now: number) => MaintenanceState {
  const profile: SlaProfile = {
    ...defaultProfile,
    ...(config.zone ? { zone: config.zone } : {}),
    ...(config.windows ? { maintenanceWindow: config.windows as WindowSpec[] } : {}),
  };
  const check = validateProfile(profile);
  if (!check.ok) {
    const issues = check.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new KluisError('INVALID_CONFIG', `server configuration: maintenance: ${issues}`);
  }
  let status: ReturnType<ReturnType<typeof createSla>['unavailabilityCheck']>;
  try {
    status = createSla(profile).unavailabilityCheck({ downtime: config.downtime ?? [] });
  } catch (e) {
    throw new KluisError('INVALID_CONFIG', `server configuration: maintenance: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return (now) => {
    if (config.mode === 'off') return OUTSIDE;
    const s = status(now);
    if (!s.unavailable) return OUTSIDE;
    const end = s.until ? new Date(s.until.epochMilliseconds).toISOString() : '';
    return {
      unavailable: config.mode === 'unavailable',
      readOnly: config.mode === 'read-only',
      retryAfterSeconds: s.retryAfterSeconds,
      window: { name: s.reason ?? 'maintenance', end },
    };
  };
}
