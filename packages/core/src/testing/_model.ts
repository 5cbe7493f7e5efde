import type { AsyncCommand } from 'fast-check';
import type { Transport } from '../transport';
import { check, checkBytes, checkListing, listAll, rejectsWith } from './_assert';
import type { ConformanceCase } from './_case';
import { hexId, prng } from './_prng';

type Model = Map<string, Uint8Array>;
type Command = AsyncCommand<Model, Transport>;
type FastCheck = typeof import('fast-check');

async function loadFastCheck(): Promise<FastCheck> {
  try {
    return await import('fast-check');
  } catch (e) {
    throw new Error(
      'the model-based case needs fast-check: install it (npm i -D fast-check) or skip "model"',
      {
        cause: e,
      },
    );
  }
}

const ids = (() => {
  const next = prng(42);
  return [hexId(next, 'ab'), hexId(next, 'ab'), hexId(next, 'c0'), hexId(next)];
})();
const KEYS = [
  'config',
  `keys/${ids[3]}`,
  `data/${ids[0]}`,
  `data/${ids[1]}`,
  `data/${ids[2]}`,
  `index/${ids[0]}`,
];
const PREFIXES = ['', 'data/', 'data/ab', `data/${ids[0]}`, 'index/', 'keys/', 'locks/', 'c'];

const cmd = (label: string, run: (m: Model, t: Transport) => Promise<void>): Command => ({
  check: () => true,
  run,
  toString: () => label,
});

function put(key: string, body: Uint8Array, ifAbsent: boolean): Command {
  return cmd(`put(${key}, ${body.length} bytes${ifAbsent ? ', ifAbsent' : ''})`, async (m, t) => {
    if (ifAbsent && m.has(key)) {
      await rejectsWith(() => t.put(key, body, { ifAbsent }), 'ALREADY_EXISTS', `put(${key}, ifAbsent)`);
      return;
    }
    await t.put(key, body, { ifAbsent });
    m.set(key, body.slice());
  });
}

function get(key: string, range: { offset: number; length: number } | null): Command {
  const label = `get(${key}${range ? `, ${range.offset}+${range.length}` : ''})`;
  return cmd(label, async (m, t) => {
    const stored = m.get(key);
    const call = () => t.get(key, range ? { range } : {});
    if (!stored) {
      await rejectsWith(call, 'NOT_FOUND', label);
    } else if (range && range.offset + range.length > stored.length) {
      await rejectsWith(call, 'INVALID_DATA', label);
    } else {
      const expected = range ? stored.subarray(range.offset, range.offset + range.length) : stored;
      checkBytes(await call(), expected, label);
    }
  });
}

const stat = (key: string): Command =>
  cmd(`stat(${key})`, async (m, t) => {
    const info = await t.stat(key);
    const expected = m.get(key);
    check(
      info?.size === expected?.length,
      `stat(${key}): got ${JSON.stringify(info)}, model has ${expected?.length}`,
    );
  });

const del = (key: string): Command =>
  cmd(`delete(${key})`, async (m, t) => {
    await t.delete(key);
    m.delete(key);
  });

const list = (prefix: string): Command =>
  cmd(`list(${JSON.stringify(prefix)})`, async (m, t) => {
    const expected = new Map([...m].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k, v.length]));
    checkListing(
      await listAll(t.list(prefix), `list(${prefix})`),
      expected,
      `list(${JSON.stringify(prefix)})`,
    );
  });

function commands(fc: FastCheck, withList: boolean) {
  const key = fc.constantFrom(...KEYS);
  const range = fc.option(fc.record({ offset: fc.nat(40), length: fc.nat(40) }), { nil: null });
  return fc.commands(
    [
      fc.tuple(key, fc.uint8Array({ maxLength: 48 }), fc.boolean()).map(([k, b, a]) => put(k, b, a)),
      fc.tuple(key, range).map(([k, r]) => get(k, r)),
      key.map(stat),
      key.map(del),
      ...(withList ? [fc.constantFrom(...PREFIXES).map(list)] : []),
    ],
    { maxCommands: 40 },
  );
}

/** The model-based case: random sequences of calls, compared with a `Map`. */
export const modelCase: ConformanceCase = {
  id: 'model',
  group: 'model',
  title: 'random put/get/stat/delete/list sequences behave like a Map (fast-check)',
  async run({ transport, settings }) {
    const fc = await loadFastCheck();
    const withList = transport.capabilities.listConsistency === 'strong';
    const property = fc.asyncProperty(commands(fc, withList), async (cmds) => {
      // Every run starts from an empty store: the runs only ever touch KEYS.
      await Promise.all(KEYS.map((k) => transport.delete(k)));
      await fc.asyncModelRun(() => ({ model: new Map(), real: transport }), cmds);
    });
    const seed = settings.seed === undefined ? {} : { seed: settings.seed };
    await fc.assert(property, { numRuns: settings.fastCheckRuns, ...seed });
  },
};
