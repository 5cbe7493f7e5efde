import { KluisError } from '../errors';
import type { Transport } from '../transport';
import { check, checkBytes, checkListing, describe, listAll, rejectsWith, rejectsWithClass } from './_assert';
import { type ConformanceCase, keyFor, listSettled } from './_case';
import { seededBytes } from './_prng';

/** Keys that must be refused with a `TypeError` before any I/O. */
const BAD_KEYS = [
  '',
  '/',
  '/data/ab',
  'data/',
  'data//ab',
  '.',
  '..',
  '../config',
  'data/../../etc/passwd',
  'data/./ab',
  '.kluis-tmp-0',
  'data/.hidden',
  'data\\ab',
  'data/a b',
  'data/é',
  'data/a\u0000b',
  'data/%2e%2e',
  `data/${'a'.repeat(1020)}`,
];

const BAD_PREFIXES = ['/', '../', 'data//', '/data/', '.', 'data/../'];

function aborted(): AbortSignal {
  const controller = new AbortController();
  controller.abort(new Error('test abort'));
  return controller.signal;
}

async function drain(transport: Transport, prefix: string, signal?: AbortSignal): Promise<void> {
  for await (const _ of transport.list(prefix, { signal })) {
    // consume
  }
}

/** Hostile keys and abort signals. */
export const guardCases: ConformanceCase[] = [
  {
    id: 'invalid-keys',
    group: 'guards',
    title: 'hostile keys and prefixes are a TypeError before any I/O',
    async run({ transport }) {
      const body = seededBytes(4, 1);
      for (const key of BAD_KEYS) {
        const k = JSON.stringify(key);
        await rejectsWithClass(() => transport.put(key, body), TypeError, `put(${k})`);
        await rejectsWithClass(
          () => transport.put(key, body, { ifAbsent: true }),
          TypeError,
          `put(${k}, ifAbsent)`,
        );
        await rejectsWithClass(() => transport.get(key), TypeError, `get(${k})`);
        await rejectsWithClass(() => transport.stat(key), TypeError, `stat(${k})`);
        await rejectsWithClass(() => transport.delete(key), TypeError, `delete(${k})`);
      }
      for (const prefix of BAD_PREFIXES) {
        await rejectsWithClass(() => drain(transport, prefix), TypeError, `list(${JSON.stringify(prefix)})`);
      }
      checkListing(await listAll(transport.list(''), "list('')"), new Map(), 'store after refused keys');
    },
  },
  {
    id: 'abort-before',
    group: 'guards',
    title: 'an already-aborted signal rejects every call with ABORTED and stores nothing',
    async run({ transport, random }) {
      const key = keyFor('data', random);
      const kept = keyFor('data', random);
      await transport.put(kept, seededBytes(8, 1));
      const signal = aborted();
      await rejectsWith(() => transport.put(key, seededBytes(8, 2), { signal }), 'ABORTED', 'put');
      await rejectsWith(
        () => transport.put(key, seededBytes(8, 2), { signal, ifAbsent: true }),
        'ABORTED',
        'put (ifAbsent)',
      );
      await rejectsWith(() => transport.get(kept, { signal }), 'ABORTED', 'get');
      await rejectsWith(() => transport.stat(kept, { signal }), 'ABORTED', 'stat');
      await rejectsWith(() => transport.delete(kept, { signal }), 'ABORTED', 'delete');
      await rejectsWith(() => drain(transport, 'data/', signal), 'ABORTED', 'list');
      check((await transport.stat(key)) === undefined, 'an aborted put must store nothing');
      check((await transport.stat(kept)) !== undefined, 'an aborted delete must delete nothing');
    },
  },
  {
    id: 'abort-during-put',
    group: 'guards',
    title: 'a put aborted mid-flight leaves no object or the whole object, never a part',
    async run({ transport, random }) {
      for (const size of [4 * 1024 * 1024, 64 * 1024]) {
        const key = keyFor('data', random);
        const body = seededBytes(size, size);
        const controller = new AbortController();
        const pending = transport.put(key, body, { signal: controller.signal });
        controller.abort(new Error('test abort'));
        const outcome = await pending.then(
          () => undefined,
          (e: unknown) => e,
        );
        if (outcome !== undefined && !KluisError.is(outcome, 'ABORTED')) {
          throw new Error(`an aborted put rejected with ${describe(outcome)}, expected ABORTED`);
        }
        const stored = await transport.get(key).catch((e: unknown) => {
          if (KluisError.is(e, 'NOT_FOUND') && outcome !== undefined) return undefined;
          throw e;
        });
        if (stored) checkBytes(stored, body, 'object after an aborted put');
        const listing = await listSettled(transport, key, () => true);
        check(
          listing.size === 0 || listing.get(key) === size,
          `after an aborted put the listing shows ${JSON.stringify([...listing])}`,
        );
      }
    },
  },
];
