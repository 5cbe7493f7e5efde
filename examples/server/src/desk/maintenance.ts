import type { MaintenanceConfig } from '../config.ts';
import { type MaintenanceState, maintenanceSchedule } from '../maintenance.ts';
import type { DeskStore } from './store.ts';

/**
 * The server's maintenance state: the configured windows and downtime (the standing Saturday
 * window by default) plus the desk's announcements not cancelled. Announcements made by another
 * process (`kluis-server maintenance announce`) apply at the next request.
 *
 * @example
 * ```ts
 * const state = deskMaintenance(config.maintenance, store);
 * state(Date.now()).unavailable;
 * ```
 */
export function deskMaintenance(
  config: MaintenanceConfig,
  store: DeskStore,
): (now: number) => MaintenanceState {
  let key = '';
  let schedule = maintenanceSchedule(config);
  return (now) => {
    const list = store.announcements({ after: now });
    const k = list.map((a) => `${a.id}:${a.start}:${a.end}`).join(',');
    if (k !== key) {
      const downtime = [
        ...(config.downtime ?? []),
        ...list.map((a) => ({
          start: new Date(a.start).toISOString(),
          end: new Date(a.end).toISOString(),
          note: a.reason,
        })),
      ];
      schedule = maintenanceSchedule({ ...config, downtime });
      key = k;
    }
    return schedule(now);
  };
}
