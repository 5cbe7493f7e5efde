/**
 * A stretch of time in a report: ISO instants (UTC) and local wall time in the report's zone.
 *
 * @example
 * ```ts
 * const s: ReportSpan = { start: '2026-03-28T08:00:00Z', end: '2026-03-28T16:00:00Z', localStart: '2026-03-28T09:00+01:00', localEnd: '2026-03-28T17:00+01:00', minutes: 480 };
 * ```
 */
export interface ReportSpan {
  start: string;
  end: string;
  localStart: string;
  localEnd: string;
  minutes: number;
}

/**
 * An incident in a report.
 *
 * @example
 * ```ts
 * sla.report({ month: '2026-03' }, log).incidents[0]?.endRule; // 'signed-off'
 * ```
 */
export interface ReportIncident extends ReportSpan {
  id: string;
  title?: string;
  priority: string;
  endRule: string;
  unavailable: boolean;
  response: { due: string; at?: string; met: boolean | null };
  resolution: { due: string; at?: string; met: boolean | null };
  reasons: string[];
  events: { type: string; at: string; local: string; note?: string }[];
}

/**
 * A month's (or any period's) SLA report as plain JSON: `JSON.stringify` it as is.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 *
 * const report: SlaReport = sla.report({ month: '2026-03' }, log);
 * writeFileSync('2026-03.json', JSON.stringify(report, null, 2));
 * ```
 */
export interface SlaReport {
  profile: string;
  zone: string;
  title: string;
  period: ReportSpan;
  asOf: string;
  availability: number;
  availabilityTarget?: number;
  targetMet?: boolean;
  totals: {
    committedMinutes: number;
    maintenanceWindowMinutes: number;
    plannedMinutes: number;
    unplannedMinutes: number;
    downtimeMinutes: number;
    maintenanceMinutes: number;
  };
  /** Merged downtime, planned, unplanned and inside maintenance. */
  periods: (ReportSpan & { kind: 'planned' | 'unplanned' | 'maintenance'; sources: string[] })[];
  incidents: ReportIncident[];
  downtime: (ReportSpan & { id: string; kind: string; noticeMs: number | null; reasons: string[] })[];
  breaches: { incident: string; kind: string; due: string; at?: string; message: string }[];
  /**
   * Things the provider must look at before trusting the numbers: `awaiting-acceptance` marks an
   * incident signed off inside the service window and never accepted, which keeps counting as
   * downtime to the end of this period (and every later one) until the coordinator accepts.
   */
  warnings: {
    incident: string;
    kind: 'awaiting-acceptance';
    since: string;
    localSince: string;
    message: string;
  }[];
  maintenanceWindows: (ReportSpan & { name: string })[];
  serviceWindows: (ReportSpan & { name: string })[];
}
