import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CacheStore,
  KluisError,
  memoryCacheStore,
  memoryTransport,
  type Transport,
  withCache,
} from '../src/index';
import { fileCacheStore } from '../src/node/index';
import { describeTransportConformance } from '../src/testing/index';

// Objects named by the SHA-256 of their bytes (as a repository names them), plus one whose name
// does not match its bytes (never cached) and one that is not content-named at all.
const BODIES = [1, 2, 3, 4].map((n) =>
  Uint8Array.from({ length: 20 + n * 9 }, (_, i) => (i * 7 + n * 31) & 255),
);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const OBJECTS: [string, Uint8Array][] = [
  [`index/${sha(BODIES[0] as Uint8Array)}`, BODIES[0] as Uint8Array],
  [`snapshots/${sha(BODIES[1] as Uint8Array)}`, BODIES[1] as Uint8Array],
  [`data/${sha(BODIES[2] as Uint8Array)}`, BODIES[2] as Uint8Array],
  [`data/${sha(BODIES[3] as Uint8Array)}`, BODIES[3] as Uint8Array],
  [`index/${sha(BODIES[2] as Uint8Array)}`, BODIES[3] as Uint8Array], // wrong name
  ['config', BODIES[0] as Uint8Array],
];
const PREFIXES = [
  '',
  'index/',
  'snapshots/',
  'data/',
  `data/${sha(BODIES[2] as Uint8Array).slice(0, 1)}`,
  'keys/',
];

/** The system under test: the cached transport, its storage and store, and an uncached twin. */
interface Real {
  storage: Transport;
  cached: Transport;
  store: CacheStore;
  plain: Transport;
}
type Cmd = fc.AsyncCommand<object, Real>;

/** What a call answered: its value, or its error's code. */
async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    const v = await call();
    return { ok: v instanceof Uint8Array ? [...v] : v };
  } catch (e) {
    return { error: KluisError.is(e) ? e.code : e instanceof Error ? e.name : String(e) };
  }
}

async function listed(t: Transport, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of t.list(prefix)) out.push(`${o.key}:${o.size}`);
  return out.sort();
}

/** A command run on both transports, whose answers must be equal. */
const same = (label: string, op: (t: Transport) => Promise<unknown>): Cmd => ({
  check: () => true,
  toString: () => label,
  async run(_m, r) {
    expect(await outcome(() => op(r.cached)), label).toEqual(await outcome(() => op(r.plain)));
  },
});

/** Something done to one side only (a tampered entry, another client's delete, an eviction). */
const aside = (label: string, op: (r: Real) => Promise<void>): Cmd => ({
  check: () => true,
  toString: () => label,
  run: (_m, r) => op(r),
});

// Mostly the cacheable objects, so that sequences of put, get, tamper and get of one are common.
const object = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...OBJECTS.slice(0, 3)) },
  { weight: 1, arbitrary: fc.constantFrom(...OBJECTS.slice(3)) },
);
const range = fc.option(fc.record({ offset: fc.integer({ min: -1, max: 60 }), length: fc.nat(60) }), {
  nil: undefined,
});

const commands = fc.commands(
  [
    fc
      .tuple(object, fc.boolean())
      .map(([[k, b], ifAbsent]) =>
        same(`put(${k.slice(0, 12)}, ifAbsent=${ifAbsent})`, (t) => t.put(k, b, { ifAbsent })),
      ),
    fc
      .tuple(object, range, fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)))
      .map(([[k], r, tree]) =>
        same(`get(${k.slice(0, 12)}, ${JSON.stringify(r)}, tree=${tree})`, (t) =>
          t.get(k, { ...(r ? { range: r } : {}), ...(tree ? { contents: 'tree' as const } : {}) }),
        ),
      ),
    // get, twice as likely as the rest: it is what the cache answers
    fc
      .tuple(object, range, fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)))
      .map(([[k], r, tree]) =>
        same(`get(${k.slice(0, 12)}, ${JSON.stringify(r)}, tree=${tree})`, (t) =>
          t.get(k, { ...(r ? { range: r } : {}), ...(tree ? { contents: 'tree' as const } : {}) }),
        ),
      ),
    object.map(([k]) => same(`stat(${k.slice(0, 12)})`, (t) => t.stat(k))),
    object.map(([k]) => same(`delete(${k.slice(0, 12)})`, (t) => t.delete(k))),
    fc.constantFrom(...PREFIXES).map((p) => same(`list(${p})`, (t) => listed(t, p))),
    // Another client deletes an object; the next listing of its kind must not leave it cached.
    object.map(([k]) =>
      aside(`external delete(${k.slice(0, 12)}) + list`, async (r) => {
        await r.storage.delete(k);
        await r.plain.delete(k);
        const prefix = k.includes('/') ? `${k.slice(0, k.indexOf('/'))}/` : '';
        expect(await listed(r.cached, prefix)).toEqual(await listed(r.plain, prefix));
      }),
    ),
    fc.tuple(object, fc.nat(200), fc.boolean()).map(([[k, b], at, truncate]) =>
      aside(`tamper(${k.slice(0, 12)}, ${at}, truncate=${truncate})`, async (r) => {
        const bad = truncate ? b.subarray(0, at % b.length) : b.slice();
        if (!truncate) bad[at % bad.length] = ((bad[at % bad.length] ?? 0) + 1) & 255;
        if ((await r.store.keys(k)).includes(k)) await r.store.put(k, bad);
      }),
    ),
    object.map(([k]) => aside(`evict(${k.slice(0, 12)})`, (r) => r.store.delete(k))),
  ],
  { maxCommands: 40, size: 'max' },
);

function real(store: CacheStore): Real {
  const storage = memoryTransport();
  return { storage, store, cached: withCache(storage, store), plain: memoryTransport() };
}

describe('withCache properties', () => {
  it('answers every sequence of calls exactly like the uncached transport (memory store)', async () => {
    await fc.assert(
      fc.asyncProperty(commands, fc.integer({ min: 0, max: 200 }), async (cmds, maxBytes) => {
        await fc.asyncModelRun(() => ({ model: {}, real: real(memoryCacheStore({ maxBytes })) }), cmds);
      }),
      { numRuns: 150 },
    );
  });

  it('answers every sequence of calls exactly like the uncached transport (file store)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kluis-cache-prop-'));
    try {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(commands, async (cmds) => {
          const store = fileCacheStore({ dir: join(dir, String(run++)), maxBytes: 120 });
          await fc.asyncModelRun(() => ({ model: {}, real: real(store) }), cmds);
        }),
        { numRuns: 40 },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// The published conformance suite, through the cache: its objects are not named by the hash of
// their bytes, so none is kept; this proves that everything else passes through faithfully.
describeTransportConformance(
  { setup: async () => withCache(memoryTransport(), memoryCacheStore({ maxBytes: 1 << 20 })) },
  { describe, it, expect },
  { name: 'withCache(memoryTransport)' },
);
