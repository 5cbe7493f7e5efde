import { abortableSleep } from '../transport-wrappers/wrapper-kit';
import {
  type ConformanceOptions,
  runCase,
  selectedCases,
  type TransportFactory,
  testName,
} from './conformance';

/** The outcome of {@link runTransportConformance}. */
export interface ConformanceResult {
  /** Names of the cases that passed. */
  passed: string[];
  /** The cases that failed, with what they threw. */
  failed: { name: string; error: unknown }[];
  /** Ids of the cases left out by `skip`. */
  skipped: string[];
}

/** Options of {@link runTransportConformance}. */
export interface StandaloneOptions extends ConformanceOptions {
  /** Called after each case (e.g. to print progress); `error` is set when it failed. */
  onResult?: (name: string, error?: unknown) => void;
}

/**
 * Runs the conformance suite without any test framework (from a script, a CI step, a REPL or a
 * health check) and returns what passed and what failed. Cases run one after another, each on a
 * fresh transport from `factory.setup()`; a case exceeding `timeoutMs` counts as failed.
 *
 * @example
 * ```ts
 * import { runTransportConformance } from '@kluis/core/testing';
 *
 * const result = await runTransportConformance({ setup: async () => memoryTransport() }, {
 *   onResult: (name, error) => console.log(error ? `FAIL ${name}: ${error}` : `ok   ${name}`),
 * });
 * if (result.failed.length > 0) process.exitCode = 1;
 * ```
 */
export async function runTransportConformance(
  factory: TransportFactory,
  options: StandaloneOptions = {},
): Promise<ConformanceResult> {
  const { run, skipped } = selectedCases(options);
  const result: ConformanceResult = { passed: [], failed: [], skipped };
  for (const c of run) {
    const name = testName(c);
    try {
      await withDeadline(runCase(c, factory, options), options.timeoutMs ?? 120_000, name);
      result.passed.push(name);
      options.onResult?.(name);
    } catch (error) {
      result.failed.push({ name, error });
      options.onResult?.(name, error);
    }
  }
  return result;
}

async function withDeadline<T>(work: Promise<T>, ms: number, name: string): Promise<T> {
  const controller = new AbortController();
  const deadline = abortableSleep(ms, controller.signal).then(() => {
    throw new Error(`${name}: no result within ${ms} ms`);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    controller.abort();
    deadline.catch(() => undefined);
  }
}
