import { z } from 'zod';
import { exclusionListSchema, holidaySchema, windowListSchema, zoneSchema } from './_schemas.ts';

const minutes = z.number().positive().finite();
const priority = z.enum(['P1', 'P2', 'P3', 'P4']);
const row = z.object({ high: priority, medium: priority, low: priority }).strict();
const target = z
  .object({
    responseMinutes: minutes,
    updateMinutes: minutes,
    resolutionMinutes: minutes,
    clock: z.enum(['business', '24/7']),
  })
  .strict();

/** An SLA profile. */
export const profileSchema = z
  .object({
    name: z.string().min(1),
    zone: zoneSchema,
    serviceWindow: windowListSchema,
    maintenanceWindow: windowListSchema,
    maintenanceExclusions: exclusionListSchema.optional(),
    holidays: holidaySchema.optional(),
    workingDays: z
      .array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']))
      .min(1)
      .optional(),
    noticeHours: z.number().min(0).finite(),
    capacityExpansionWorkingDays: z.number().int().min(0),
    priorityMatrix: z.object({ high: row, medium: row, low: row }).strict(),
    targets: z.object({ P1: target, P2: target, P3: target, P4: target }).strict(),
    maintenanceRules: z
      .object({
        minWindowMinutes: minutes.optional(),
        maxWindowMinutes: minutes.optional(),
        maxMinutesPerWeek: minutes.optional(),
        minMinutes: z
          .object({ minutes, perDays: z.number().int().min(1).max(366) })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    availabilityTarget: z.number().min(0).max(1).optional(),
  })
  .strict();
