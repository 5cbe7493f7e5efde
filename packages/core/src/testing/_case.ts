import type { Transport } from '../transport';
import { listAll } from './_assert';
import { hexId, prng } from './_prng';

/** Options of the suite after defaults are applied. */
export interface SuiteSettings {
  fastCheckRuns: number;
  seed: number | undefined;
  largeObjectBytes: number;
  manyKeys: number;
  parallel: number;
}

/** What a case gets: a fresh transport over an empty store, and the settings. */
export interface CaseContext {
  transport: Transport;
  settings: SuiteSettings;
  /** Reproducible object IDs and bytes for this case. */
  random: () => number;
}

/** One conformance case. */
export interface ConformanceCase {
  /** Stable identifier, used in test names and in `skip`. */
  readonly id: string;
  /** The group (a `describe` block), also accepted by `skip`. */
  readonly group: string;
  /** What the case checks, in a few words. */
  readonly title: string;
  run(context: CaseContext): Promise<void>;
}

/** Builds the context of one case. */
export function caseContext(transport: Transport, settings: SuiteSettings, id: string): CaseContext {
  let seed = settings.seed ?? 0x6b6c7569;
  for (let i = 0; i < id.length; i++) seed = Math.imul(seed ^ id.charCodeAt(i), 16777619) >>> 0;
  return { transport, settings, random: prng(seed) };
}

/** A repository-shaped key: `<type>/<64 hex>`, optionally starting with `idPrefix`. */
export function keyFor(type: string, random: () => number, idPrefix = ''): string {
  return `${type}/${hexId(random, idPrefix)}`;
}

/** The listing of `prefix`; with eventual consistency, re-lists until `ready` holds (bounded). */
export async function listSettled(
  transport: Transport,
  prefix: string,
  ready: (listing: Map<string, number>) => boolean,
): Promise<Map<string, number>> {
  let listing = await listAll(transport.list(prefix), `list(${JSON.stringify(prefix)})`);
  if (transport.capabilities.listConsistency === 'strong') return listing;
  for (let delay = 50; !ready(listing) && delay <= 6400; delay *= 2) {
    await new Promise((resolve) => setTimeout(resolve, delay));
    listing = await listAll(transport.list(prefix), `list(${JSON.stringify(prefix)})`);
  }
  return listing;
}

/** Runs `task` over `items` with at most `concurrency` in flight. */
export async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
