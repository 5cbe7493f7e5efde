import { check, checkBytes, checkListing, rejectsWith } from './_assert';
import { type ConformanceCase, keyFor, listSettled } from './_case';
import { seededBytes } from './_prng';

/** Round trips, stat, not-found, overwrite, delete and buffer ownership. */
export const objectCases: ConformanceCase[] = [
  {
    id: 'put-get',
    group: 'objects',
    title: 'get returns exactly the bytes put, stat their size',
    async run({ transport, random }) {
      for (const size of [1, 100, 65_539]) {
        const key = keyFor('data', random);
        const body = seededBytes(size, size);
        await transport.put(key, body);
        checkBytes(await transport.get(key), body, `get(${key})`);
        const info = await transport.stat(key);
        check(
          info?.key === key && info.size === size,
          `stat(${key}): expected size ${size}, got ${JSON.stringify(info)}`,
        );
      }
      const config = seededBytes(300, 7);
      await transport.put('config', config);
      checkBytes(await transport.get('config'), config, 'get(config)');
    },
  },
  {
    id: 'empty-object',
    group: 'objects',
    title: 'an empty object is stored, read, listed and ranged',
    async run({ transport, random }) {
      const key = keyFor('locks', random);
      await transport.put(key, new Uint8Array(0));
      checkBytes(await transport.get(key), new Uint8Array(0), `get(${key})`);
      check((await transport.stat(key))?.size === 0, `stat(${key}) should report size 0`);
      checkBytes(
        await transport.get(key, { range: { offset: 0, length: 0 } }),
        new Uint8Array(0),
        'range 0+0',
      );
      const listing = await listSettled(transport, 'locks/', (l) => l.has(key));
      checkListing(listing, new Map([[key, 0]]), 'list(locks/)');
    },
  },
  {
    id: 'not-found',
    group: 'objects',
    title: 'a missing object: get NOT_FOUND (final), stat undefined, empty list',
    async run({ transport, random }) {
      const key = keyFor('snapshots', random);
      const e = await rejectsWith(() => transport.get(key), 'NOT_FOUND', `get(${key}) of a missing object`);
      check(!e.retryable, 'NOT_FOUND must not be retryable');
      await rejectsWith(
        () => transport.get(key, { range: { offset: 0, length: 1 } }),
        'NOT_FOUND',
        'range get of a missing object',
      );
      await rejectsWith(() => transport.get('config'), 'NOT_FOUND', 'get(config) in an empty store');
      check(
        (await transport.stat(key)) === undefined,
        `stat(${key}) of a missing object should be undefined`,
      );
      checkListing(
        await listSettled(transport, 'snapshots/', () => true),
        new Map(),
        'list of an empty store',
      );
    },
  },
  {
    id: 'overwrite',
    group: 'objects',
    title: 'put without ifAbsent replaces the object',
    async run({ transport, random }) {
      const key = keyFor('keys', random);
      await transport.put(key, seededBytes(100, 1));
      const second = seededBytes(50, 2);
      await transport.put(key, second);
      checkBytes(await transport.get(key), second, `get(${key}) after overwrite`);
      check((await transport.stat(key))?.size === 50, 'stat after overwrite should report the new size');
      const listing = await listSettled(transport, 'keys/', (l) => l.get(key) === 50);
      checkListing(listing, new Map([[key, 50]]), 'list(keys/) after overwrite');
    },
  },
  {
    id: 'delete',
    group: 'objects',
    title: 'delete removes one object and is idempotent',
    async run({ transport, random }) {
      const [gone, kept] = [keyFor('index', random), keyFor('index', random)];
      await transport.put(gone, seededBytes(10, 1));
      await transport.put(kept, seededBytes(20, 2));
      await transport.delete(gone);
      check((await transport.stat(gone)) === undefined, 'stat after delete should be undefined');
      await rejectsWith(() => transport.get(gone), 'NOT_FOUND', 'get after delete');
      await transport.delete(gone);
      await transport.delete(keyFor('locks', random));
      const listing = await listSettled(transport, 'index/', (l) => !l.has(gone));
      checkListing(listing, new Map([[kept, 20]]), 'list(index/) after delete');
    },
  },
  {
    id: 'body-isolation',
    group: 'objects',
    title: 'the store owns its bytes: mutating a buffer after put or get changes nothing',
    async run({ transport, random }) {
      const key = keyFor('data', random);
      const body = seededBytes(1000, 3);
      const copy = body.slice();
      await transport.put(key, body);
      body.fill(0xee);
      checkBytes(await transport.get(key), copy, 'get after mutating the put buffer');
      const got = await transport.get(key);
      got.fill(0xaa);
      const ranged = await transport.get(key, { range: { offset: 10, length: 10 } });
      ranged.fill(0xbb);
      checkBytes(await transport.get(key), copy, 'get after mutating returned buffers');
    },
  },
];
