import { check, checkBytes, checkListing } from './_assert';
import { type ConformanceCase, keyFor, listSettled, pool } from './_case';
import { seededBytes } from './_prng';

const MiB = 1024 * 1024;

/** Large objects, many parallel calls, long listings. */
export const scaleCases: ConformanceCase[] = [
  {
    id: 'large-object',
    group: 'scale',
    title: 'a large object (default 17 MiB) round-trips, with ranges across it',
    async run({ transport, settings, random }) {
      const size = settings.largeObjectBytes;
      const key = keyFor('data', random);
      const body = seededBytes(size, 17);
      await transport.put(key, body);
      check((await transport.stat(key))?.size === size, `stat(${key}) should report ${size} bytes`);
      checkBytes(await transport.get(key), body, `get(${key})`);
      const ranges = [
        [size - Math.min(size, MiB + 1), Math.min(size, MiB + 1)],
        [Math.floor(size / 2), Math.min(4096, size - Math.floor(size / 2))],
        [Math.max(0, Math.min(16 * MiB - 10, size - 20)), Math.min(20, size)],
      ] as const;
      for (const [offset, length] of ranges) {
        const got = await transport.get(key, { range: { offset, length } });
        checkBytes(got, body.subarray(offset, offset + length), `get(${key}, ${offset}+${length})`);
      }
    },
  },
  {
    id: 'parallel',
    group: 'scale',
    title: 'many parallel puts, gets, stats, lists and deletes (default 100) all behave',
    async run({ transport, settings, random }) {
      const n = settings.parallel;
      const keys = Array.from({ length: n }, () => keyFor('data', random));
      const bodies = keys.map((_, i) => seededBytes((i * 37) % 4096, i));
      await Promise.all(keys.map((k, i) => transport.put(k, bodies[i] as Uint8Array)));
      const [got, infos] = await Promise.all([
        Promise.all(keys.map((k) => transport.get(k))),
        Promise.all(keys.map((k) => transport.stat(k))),
      ]);
      for (const [i, key] of keys.entries()) {
        checkBytes(got[i] as Uint8Array, bodies[i] as Uint8Array, `parallel get(${key})`);
        check(infos[i]?.size === bodies[i]?.length, `parallel stat(${key})`);
      }
      const expected = new Map(keys.map((k, i) => [k, bodies[i]?.length ?? 0]));
      const lists = await Promise.all(
        [1, 2, 3].map(() => listSettled(transport, 'data/', (l) => l.size >= n)),
      );
      for (const listing of lists) checkListing(listing, expected, 'list(data/) after parallel puts');
      await Promise.all(keys.map((k) => transport.delete(k)));
      const after = await listSettled(transport, 'data/', (l) => l.size === 0);
      checkListing(after, new Map(), 'list(data/) after parallel deletes');
    },
  },
  {
    id: 'list-many',
    group: 'list',
    title: 'a listing longer than one page (default 1100 keys) yields each key exactly once',
    async run({ transport, settings, random }) {
      const keys = Array.from({ length: settings.manyKeys }, () => keyFor('index', random));
      const concurrency = Math.max(1, Math.min(16, transport.capabilities.maxConcurrency));
      await pool([...keys.entries()], concurrency, ([i, key]) => transport.put(key, seededBytes(i % 7, i)));
      const expected = new Map(keys.map((k, i) => [k, i % 7]));
      const listing = await listSettled(transport, 'index/', (l) => l.size >= expected.size);
      checkListing(listing, expected, `list(index/) of ${keys.length} keys`);
    },
  },
];
