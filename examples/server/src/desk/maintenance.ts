import type { MaintenanceConfig } from '../config.ts';
import { type MaintenanceState, maintenanceSchedule } from '../maintenance.ts';
import type { DeskStore } from './store.ts';

/** The server's maintenance state, answered at once from the announcements last read. */
export interface DeskMaintenance {
  /** The state at `now`: configured windows plus the announcements of the last {@link refresh}. */
  state(now: number): MaintenanceState;
  /**
   * Reads the announcements again. Calls made while a read runs share the next read, so each
   * caller sees announcements committed before it called.
   */
  refresh(now: number): Promise<void>;
}

/**
 * The server's maintenance state: the configured windows and downtime (the standing Saturday
 * window by default) plus the desk's announcements not cancelled. The server refreshes it before
 * each request, so announcements made by another process or node (`kluis-server maintenance
 * announce`) apply at the next request, while the REST handler reads the state synchronously.
 *
 * @example
 * ```ts
 * const m = deskMaintenance(config.maintenance, store);
 * await m.refresh(Date.now());
 * m.state(Date.now()).unavailable;
 * ```
 */
export function deskMaintenance(config: MaintenanceConfig, store: DeskStore): DeskMaintenance {
  let key = '';
  let schedule = maintenanceSchedule(config);
  const load = async (now: number) => {
    const list = await store.announcements({ after: now });
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
  };
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const start = (now: number): Promise<void> => {
    const p = load(now).finally(() => {
      if (running === p) running = undefined;
    });
    running = p;
    return p;
  };
  return {
    state: (now) => schedule(now),
    refresh(now) {
      if (queued) return queued;
      if (!running) return start(now);
      const q = running
        .catch(() => {})
        .then(() => {
          queued = undefined;
          return start(now);
        });
      queued = q;
      return q;
    },
  };
}
