import { check, checkBytes, checkListing, rejectsWith, rejectsWithClass } from './_assert';
import { type ConformanceCase, keyFor, listSettled } from './_case';
import { seededBytes } from './_prng';

const SIZE = 1000;

/** Range reads and listings. */
export const readCases: ConformanceCase[] = [
  {
    id: 'range-reads',
    group: 'ranges',
    title: 'a range returns exactly its bytes: start, middle, end, zero length, whole',
    async run({ transport, random }) {
      const key = keyFor('data', random);
      const body = seededBytes(SIZE, 11);
      await transport.put(key, body);
      const ranges: [number, number][] = [
        [0, 10],
        [500, 100],
        [990, 10],
        [999, 1],
        [0, 0],
        [500, 0],
        [SIZE, 0],
        [0, SIZE],
      ];
      for (const [offset, length] of ranges) {
        const got = await transport.get(key, { range: { offset, length } });
        checkBytes(got, body.subarray(offset, offset + length), `get(${key}, ${offset}+${length})`);
      }
    },
  },
  {
    id: 'read-into',
    group: 'ranges',
    title: "a read into a caller's buffer returns exactly the bytes, whether the buffer is used or not",
    async run({ transport, random }) {
      const key = keyFor('data', random);
      const body = seededBytes(SIZE, 13);
      await transport.put(key, body);
      const cases: [string, number, { offset: number; length: number } | undefined][] = [
        ['whole, larger buffer', SIZE + 100, undefined],
        ['whole, exact buffer', SIZE, undefined],
        ['whole, too small a buffer', SIZE - 1, undefined],
        ['range, larger buffer', 64, { offset: 100, length: 50 }],
        ['range, too small a buffer', 10, { offset: 100, length: 50 }],
        ['empty range', 8, { offset: 10, length: 0 }],
      ];
      for (const [what, size, range] of cases) {
        const into = new Uint8Array(size + 7).subarray(7).fill(0xcc);
        const got = await transport.get(key, { into, ...(range ? { range } : {}) });
        const want = range ? body.subarray(range.offset, range.offset + range.length) : body;
        checkBytes(got, want, `get(${key}) into a ${what}`);
        if (got.buffer === into.buffer) {
          check(got.byteOffset === into.byteOffset, `${what}: a result in the buffer starts it`);
          into.fill(0);
        }
        checkBytes(await transport.get(key), body, `${what}: the stored bytes after reusing the buffer`);
      }
    },
  },
  {
    id: 'range-past-end',
    group: 'ranges',
    title: 'a range reaching past the end is INVALID_DATA, never a short read',
    async run({ transport, random }) {
      const key = keyFor('data', random);
      await transport.put(key, seededBytes(SIZE, 12));
      for (const [offset, length] of [
        [995, 10],
        [SIZE, 1],
        [SIZE + 1, 0],
        [5000, 10],
      ] as const) {
        await rejectsWith(
          () => transport.get(key, { range: { offset, length } }),
          'INVALID_DATA',
          `range ${offset}+${length}`,
        );
      }
      const empty = keyFor('locks', random);
      await transport.put(empty, new Uint8Array(0));
      await rejectsWith(
        () => transport.get(empty, { range: { offset: 0, length: 1 } }),
        'INVALID_DATA',
        'range of empty',
      );
    },
  },
  {
    id: 'range-invalid',
    group: 'ranges',
    title: 'a malformed range (negative, fractional, NaN) is a RangeError',
    async run({ transport, random }) {
      const key = keyFor('data', random);
      await transport.put(key, seededBytes(SIZE, 13));
      for (const [offset, length] of [
        [-1, 5],
        [0, -1],
        [1.5, 2],
        [Number.NaN, 1],
      ] as const) {
        await rejectsWithClass(
          () => transport.get(key, { range: { offset, length } }),
          RangeError,
          `range ${offset}+${length}`,
        );
      }
    },
  },
  {
    id: 'list-prefix',
    group: 'list',
    title: 'list yields each key under a prefix exactly once, with its size',
    async run({ transport, random }) {
      const data = [keyFor('data', random, 'ab'), keyFor('data', random, 'ab'), keyFor('data', random, 'cd')];
      const others = [keyFor('index', random), keyFor('snapshots', random), keyFor('keys', random), 'config'];
      const sizes = new Map<string, number>();
      for (const [i, key] of [...data, ...others].entries()) {
        sizes.set(key, 10 + i);
        await transport.put(key, seededBytes(10 + i, i));
      }
      const expect = (prefix: string) => new Map([...sizes].filter(([k]) => k.startsWith(prefix)));
      for (const prefix of [
        'data/',
        'data/ab',
        'data/a',
        'data/c',
        data[0] as string,
        'index/',
        'snapshots/',
        'keys/',
        'locks/',
        'd',
        'none/',
      ]) {
        const expected = expect(prefix);
        const listing = await listSettled(transport, prefix, (l) => l.size >= expected.size);
        checkListing(listing, expected, `list(${JSON.stringify(prefix)})`);
      }
    },
  },
  {
    id: 'list-empty-prefix',
    group: 'list',
    title: "list('') yields every object exactly once",
    async run({ transport, random }) {
      const keys = [
        'config',
        keyFor('keys', random),
        keyFor('data', random),
        keyFor('index', random),
        keyFor('locks', random),
      ];
      for (const [i, key] of keys.entries()) await transport.put(key, seededBytes(i * 3, i));
      const expected = new Map(keys.map((k, i) => [k, i * 3]));
      const listing = await listSettled(transport, '', (l) => l.size >= expected.size);
      checkListing(listing, expected, "list('')");
      check(listing.size === keys.length, "list('') should see only the objects put");
    },
  },
];
