import type { Transport } from '../transport';
import { type ConformanceCase, caseContext, type SuiteSettings } from './_case';
import { createCases } from './_cases-create';
import { guardCases } from './_cases-guard';
import { objectCases } from './_cases-objects';
import { readCases } from './_cases-read';
import { scaleCases } from './_cases-scale';
import { writerCases } from './_cases-writer';
import { modelCase } from './_model';

/**
 * How the suite gets a transport for each case.
 *
 * @example
 * ```ts
 * const factory: TransportFactory = { setup: async () => memoryTransport() };
 * ```
 */
export interface TransportFactory {
  /** A transport over an **empty** store (e.g. a fresh temp directory, bucket prefix or server). */
  setup(): Promise<Transport>;
  /** Releases what `setup` made (removes the directory, empties the prefix, stops the server). */
  teardown?(transport: Transport): Promise<void>;
}

/**
 * The parts of a vitest/jest-like test runner the suite uses; pass `{ describe, it }`.
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * describeTransportConformance({ setup: async () => memoryTransport() }, { describe, it });
 * ```
 */
export interface TestRunner {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void>, timeout?: number): void;
  /** Accepted for convenience and not used: the suite throws its own descriptive errors. */
  expect?: unknown;
}

/** Options of the conformance suite. */
export interface ConformanceOptions {
  /** Name of the outer `describe` block. Default `transport conformance`. */
  name?: string;
  /** Case ids or group names to leave out, e.g. `['list-many', 'model']`; see {@link CONFORMANCE_CASES}. */
  skip?: readonly string[];
  /** Runs of the model-based property. Default 25. */
  fastCheckRuns?: number;
  /** Seed of the suite's pseudo-random data and of fast-check, to reproduce a failure. */
  seed?: number;
  /** Size of the object of `large-object`, in bytes. Default 17 MiB (more than one 16 MiB pack). */
  largeObjectBytes?: number;
  /** Keys written by `list-many`. Default 1100 (more than one 1000-entry page). */
  manyKeys?: number;
  /** Calls issued at once by `parallel`. Default 100. */
  parallel?: number;
  /** Time limit of each case, in ms. Default 120 000. */
  timeoutMs?: number;
}

/**
 * Every case of the suite: its id (for `skip`), group and what it checks.
 *
 * @example
 * ```ts
 * for (const c of CONFORMANCE_CASES) console.log(`${c.group}/${c.id}: ${c.title}`);
 * ```
 */
export const CONFORMANCE_CASES: readonly { id: string; group: string; title: string }[] = allCases().map(
  ({ id, group, title }) => ({ id, group, title }),
);

function allCases(): ConformanceCase[] {
  return [
    ...objectCases,
    ...createCases,
    ...readCases,
    ...writerCases,
    ...scaleCases,
    ...guardCases,
    modelCase,
  ];
}

function settingsOf(o: ConformanceOptions): SuiteSettings {
  return {
    fastCheckRuns: o.fastCheckRuns ?? 25,
    seed: o.seed,
    largeObjectBytes: o.largeObjectBytes ?? 17 * 1024 * 1024,
    manyKeys: o.manyKeys ?? 1100,
    parallel: o.parallel ?? 100,
  };
}

/** The cases to run, in order, after `skip`. */
export function selectedCases(o: ConformanceOptions): { run: ConformanceCase[]; skipped: string[] } {
  const skip = new Set(o.skip ?? []);
  const known = new Set(allCases().flatMap((c) => [c.id, c.group]));
  for (const s of skip)
    if (!known.has(s))
      throw new RangeError(`conformance: unknown case or group ${JSON.stringify(s)} in skip`);
  const cases = allCases();
  const run = cases.filter((c) => !skip.has(c.id) && !skip.has(c.group));
  return { run, skipped: cases.filter((c) => !run.includes(c)).map((c) => c.id) };
}

/** Runs one case on a fresh transport, tearing it down whatever happens. */
export async function runCase(
  c: ConformanceCase,
  factory: TransportFactory,
  o: ConformanceOptions,
): Promise<void> {
  const transport = await factory.setup();
  try {
    await c.run(caseContext(transport, settingsOf(o), c.id));
  } finally {
    await factory.teardown?.(transport);
  }
}

/** The test name of a case. */
export const testName = (c: ConformanceCase): string => `${c.id}: ${c.title}`;

/**
 * Registers the transport conformance suite with a vitest- or jest-like runner: one `describe`
 * per group, one `it` per case, each on a fresh transport from `factory.setup()`. Nothing depends
 * on the runner's globals; failures throw errors that say what the transport did wrong.
 *
 * @example
 * ```ts
 * import { describe, expect, it } from 'vitest';
 * import { describeTransportConformance } from '@kluis/core/testing';
 *
 * import { localTransport } from '@kluis/core/node';
 * import { mkdtemp, rm } from 'node:fs/promises';
 *
 * let root = '';
 * describeTransportConformance(
 *   { setup: async () => localTransport({ root: (root = await mkdtemp('/tmp/conformance-')) }), teardown: () => rm(root, { recursive: true }) },
 *   { describe, it, expect },
 *   { skip: ['list-many'] },
 * );
 * ```
 */
export function describeTransportConformance(
  factory: TransportFactory,
  runner: TestRunner,
  options: ConformanceOptions = {},
): void {
  const { run } = selectedCases(options);
  const groups = [...new Set(run.map((c) => c.group))];
  runner.describe(options.name ?? 'transport conformance', () => {
    for (const group of groups) {
      runner.describe(group, () => {
        for (const c of run.filter((x) => x.group === group)) {
          runner.it(testName(c), () => runCase(c, factory, options), options.timeoutMs ?? 120_000);
        }
      });
    }
  });
}
