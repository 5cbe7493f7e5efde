import fc from 'fast-check';
import type { PolicyInput, RuleInput, Version } from '../src/index.ts';

const START = Date.UTC(2026, 0, 1);
const YEAR = 365 * 86_400_000;

/** A list of versions with unique ids over 2026 (minute resolution, so ties happen). */
export const versionsArb: fc.Arbitrary<Version[]> = fc
  .array(
    fc.record({
      minute: fc.integer({ min: 0, max: YEAR / 60_000 }),
      host: fc.constantFrom(undefined, 'a', 'b'),
      tags: fc.subarray(['x', 'y']),
      complete: fc.oneof(
        { weight: 5, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
      pinned: fc.oneof(
        { weight: 9, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
      size: fc.integer({ min: 0, max: 1000 }),
    }),
    { maxLength: 40 },
  )
  .map((list) =>
    list.map((r, i) => ({
      id: `v${String(i).padStart(2, '0')}`,
      time: new Date(START + r.minute * 60_000),
      ...(r.host === undefined ? {} : { host: r.host }),
      tags: r.tags,
      complete: r.complete,
      pinned: r.pinned,
      size: r.size,
    })),
  );

const durationArb = fc.oneof(
  fc.integer({ min: 1, max: 72 }).map((hours) => ({ hours })),
  fc.integer({ min: 1, max: 60 }).map((days) => ({ days })),
  fc.integer({ min: 1, max: 6 }).map((months) => ({ months })),
  fc.integer({ min: 1, max: 8 }).map((weeks) => `${weeks}w`),
);
const countArb = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constant<'all'>('all'));
const kindArb = fc.constantFrom(
  'last',
  'hourly',
  'daily',
  'weekly',
  'monthly',
  'quarterly',
  'yearly' as const,
);

export const ruleArb: fc.Arbitrary<RuleInput> = fc.oneof(
  durationArb.map((duration) => ({ kind: 'within' as const, duration })),
  fc.record({ kind: kindArb, count: countArb }),
  fc.record({ kind: kindArb, count: countArb, within: durationArb }),
  fc.subarray(['x', 'y'], { minLength: 1 }).map((tags) => ({ kind: 'tag' as const, tags })),
);

export const zoneArb = fc.constantFrom(
  'UTC',
  'Europe/Amsterdam',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
);

/** A policy with random rules and random semantics (always a valid input). */
export const policyArb: fc.Arbitrary<PolicyInput> = fc.record({
  rules: fc.array(ruleArb, { maxLength: 5 }),
  zone: zoneArb,
  anchor: fc.constantFrom('now', 'newest' as const),
  counting: fc.constantFrom('shared', 'exclusive' as const),
  pick: fc.constantFrom('newest', 'oldest' as const),
  keepOldestWhenShort: fc.boolean(),
  keepNewest: fc.boolean(),
  groupBy: fc.subarray(['host', 'paths', 'tags'] as const),
});

/** An evaluation time somewhere in (or just after) 2026. */
export const nowArb: fc.Arbitrary<Date> = fc
  .integer({ min: 0, max: (YEAR + 30 * 86_400_000) / 60_000 })
  .map((m) => new Date(START + m * 60_000));
