import { type CompiledCalendar, compileCalendar } from './_calendar.ts';
import { profileSchema } from './_profile-schema.ts';
import { parseOrThrow } from './_schemas.ts';
import type { SlaProfile } from './profile.ts';
import { createWorkingDays, type WorkingDays } from './working-days.ts';

/** A validated profile with its calendars compiled. */
export interface Context {
  profile: SlaProfile;
  zone: string;
  service: CompiledCalendar;
  maintenance: CompiledCalendar;
  working: WorkingDays;
}

/** Validates `input` (throwing TypeError/RangeError naming the field) and compiles it. */
export function buildContext(input: SlaProfile): Context {
  const profile = parseOrThrow(profileSchema, input, 'SLA profile') as SlaProfile;
  const { zone, holidays } = profile;
  const service = compileCalendar(
    { zone, windows: profile.serviceWindow, ...(holidays ? { holidays } : {}) },
    'serviceWindow',
  );
  const maintenance = compileCalendar(
    {
      zone,
      windows: profile.maintenanceWindow,
      ...(holidays ? { holidays } : {}),
      ...(profile.maintenanceExclusions ? { exclusions: profile.maintenanceExclusions } : {}),
    },
    'maintenanceWindow',
  );
  const working = createWorkingDays({
    zone,
    ...(profile.workingDays ? { workingDays: profile.workingDays } : {}),
    ...(holidays ? { holidays } : {}),
  });
  return { profile, zone, service, maintenance, working };
}
