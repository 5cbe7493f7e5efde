import type { IncidentEvaluation, Priority } from '@kluis/sla';
import type { CapacityRequest, DeskIncident } from './store.ts';

/** A capacity request with its state at `now`. */
export interface CapacityView extends CapacityRequest {
  /** `open` (not yet due), `due-soon` (within a day), `overdue`, or fulfilled `on-time` / `late`. */
  state: 'open' | 'due-soon' | 'overdue' | 'on-time' | 'late';
}

/** An incident with its priority, targets and standing at `now`. */
export interface IncidentView extends DeskIncident {
  priority: Priority;
  /** `open`, `restored` (awaiting acceptance or sign-off), `closed`. */
  state: 'open' | 'restored' | 'closed';
  /** Progress updates are due every this many minutes (the priority's cadence). */
  updateMinutes: number;
  /** When the next progress update is due (while not restored). */
  nextUpdateDue: number | undefined;
  /** A progress update is overdue now. */
  updateOverdue: boolean;
  evaluation: IncidentEvaluation;
}
