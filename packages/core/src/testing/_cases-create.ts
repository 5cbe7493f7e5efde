import { KluisError } from '../errors';
import { check, checkBytes, describe, rejectsWith } from './_assert';
import { type ConformanceCase, keyFor } from './_case';
import { seededBytes } from './_prng';

const WRITERS = 8;
const ROUNDS = 5;

/** Create-only writes, alone and racing. */
export const createCases: ConformanceCase[] = [
  {
    id: 'if-absent',
    group: 'create-only',
    title: 'put with ifAbsent creates once, then fails ALREADY_EXISTS (final) and keeps the first',
    async run({ transport, random }) {
      const key = keyFor('locks', random);
      const first = seededBytes(64, 1);
      await transport.put(key, first, { ifAbsent: true });
      const e = await rejectsWith(
        () => transport.put(key, seededBytes(80, 2), { ifAbsent: true }),
        'ALREADY_EXISTS',
        'second create-only put',
      );
      check(!e.retryable, 'ALREADY_EXISTS must not be retryable');
      checkBytes(await transport.get(key), first, 'object after a refused create-only put');
      await rejectsWith(
        () =>
          transport
            .put('config', seededBytes(3, 3), { ifAbsent: true })
            .then(() => transport.put('config', seededBytes(3, 4), { ifAbsent: true })),
        'ALREADY_EXISTS',
        'create-only config twice',
      );
      await transport.delete(key);
      const again = seededBytes(16, 5);
      await transport.put(key, again, { ifAbsent: true });
      checkBytes(await transport.get(key), again, 'create-only put after delete');
    },
  },
  {
    id: 'if-absent-race',
    group: 'create-only',
    title: `of ${WRITERS} racing create-only writers exactly one wins (with conditionalPut)`,
    async run({ transport, random }) {
      for (let round = 0; round < ROUNDS; round++) {
        const key = keyFor('locks', random);
        const bodies = Array.from({ length: WRITERS }, (_, i) => seededBytes(1024 + i, round * 100 + i));
        const results = await Promise.allSettled(
          bodies.map((b) => transport.put(key, b, { ifAbsent: true })),
        );
        const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        for (const r of results) {
          if (r.status === 'rejected' && !KluisError.is(r.reason, 'ALREADY_EXISTS')) {
            throw new Error(
              `a losing create-only writer failed with ${describe(r.reason)}, expected ALREADY_EXISTS`,
            );
          }
        }
        const stored = await transport.get(key);
        if (transport.capabilities.conditionalPut) {
          check(
            winners.length === 1,
            `round ${round}: ${winners.length} create-only writers won, expected exactly 1`,
          );
          checkBytes(stored, bodies[winners[0] as number] as Uint8Array, 'object after the race');
        } else {
          check(winners.length >= 1, `round ${round}: no create-only writer won`);
          const match = winners.some((i) => bodies[i]?.length === stored.length);
          check(match, "the stored object is none of the winners' bodies");
        }
      }
    },
  },
];
