import type { DowntimeLog } from '@kluis/sla';

/**
 * A month of incidents and announced downtime at a small backup provider, March 2026
 * (Europe/Amsterdam; the clocks go forward on Sunday 29 March).
 */
export const sampleLog: DowntimeLog = {
  incidents: [
    {
      id: 'INC-101',
      title: 'Storage node failure: all uploads refused',
      impact: 'high',
      urgency: 'high',
      events: [
        {
          type: 'detected',
          at: '2026-03-03T14:02:00+01:00',
          note: 'monitoring alarm; coordinator phoned and mailed',
        },
        { type: 'reported', at: '2026-03-03T14:10:00+01:00', note: 'customer call' },
        { type: 'update', at: '2026-03-03T15:00:00+01:00', note: 'failed disk controller identified' },
        { type: 'update', at: '2026-03-03T15:55:00+01:00', note: 'spare node syncing' },
        { type: 'restored', at: '2026-03-03T16:40:00+01:00' },
        {
          type: 'accepted',
          at: '2026-03-03T16:55:00+01:00',
          note: 'coordinator confirmed by phone and e-mail',
        },
      ],
    },
    {
      id: 'INC-102',
      title: 'Authentication service down at night',
      impact: 'high',
      urgency: 'medium',
      events: [
        { type: 'reported', at: '2026-03-12T01:30:00+01:00', note: 'e-mail from a night-shift user' },
        { type: 'acknowledged', at: '2026-03-12T01:50:00+01:00' },
        { type: 'update', at: '2026-03-12T03:00:00+01:00' },
        { type: 'restored', at: '2026-03-12T04:10:00+01:00' },
        { type: 'signed-off', at: '2026-03-12T04:20:00+01:00', note: 'sign-off e-mail' },
        { type: 'accepted', at: '2026-03-12T09:15:00+01:00', note: 'coordinator confirmed in the morning' },
      ],
    },
    {
      id: 'INC-103',
      title: 'Backups failing for the finance department',
      impact: 'high',
      urgency: 'medium',
      events: [
        { type: 'reported', at: '2026-03-18T10:00:00+01:00' },
        { type: 'acknowledged', at: '2026-03-18T10:20:00+01:00' },
        { type: 'update', at: '2026-03-18T12:45:00+01:00' },
        { type: 'restored', at: '2026-03-18T13:00:00+01:00' },
        { type: 'accepted', at: '2026-03-18T13:30:00+01:00' },
      ],
    },
    {
      id: 'INC-104',
      title: 'Restore API errors (same network fault)',
      impact: 'medium',
      urgency: 'high',
      events: [
        { type: 'detected', at: '2026-03-18T10:40:00+01:00' },
        { type: 'update', at: '2026-03-18T11:30:00+01:00' },
        { type: 'restored', at: '2026-03-18T12:10:00+01:00' },
        { type: 'accepted', at: '2026-03-18T12:20:00+01:00' },
      ],
    },
    {
      id: 'INC-105',
      title: 'Slow restores for one user',
      impact: 'low',
      urgency: 'medium',
      unavailable: false,
      events: [
        { type: 'reported', at: '2026-03-23T16:45:00+01:00' },
        { type: 'acknowledged', at: '2026-03-24T09:30:00+01:00' },
        { type: 'restored', at: '2026-03-24T15:00:00+01:00' },
        { type: 'accepted', at: '2026-03-24T15:10:00+01:00' },
      ],
    },
    {
      id: 'INC-106',
      title: 'Quota display wrong in the portal',
      impact: 'low',
      urgency: 'low',
      unavailable: false,
      events: [
        { type: 'reported', at: '2026-03-31T11:00:00+02:00' },
        { type: 'acknowledged', at: '2026-03-31T13:00:00+02:00' },
      ],
    },
  ],
  downtime: [
    {
      id: 'CHG-7',
      note: 'firmware upgrade of the storage array',
      announcedAt: '2026-03-09T09:00:00+01:00',
      start: '2026-03-10T22:00:00+01:00',
      end: '2026-03-10T23:30:00+01:00',
    },
    {
      id: 'CHG-8',
      note: 'operating system patches',
      announcedAt: '2026-03-27T17:00:00+01:00',
      start: '2026-03-28T10:00:00+01:00',
      end: '2026-03-28T14:00:00+01:00',
    },
    {
      id: 'CHG-9',
      note: 'emergency certificate rotation',
      announcedAt: '2026-03-28T21:00:00+01:00',
      start: '2026-03-29T09:00:00+02:00',
      end: '2026-03-29T10:30:00+02:00',
    },
  ],
};
