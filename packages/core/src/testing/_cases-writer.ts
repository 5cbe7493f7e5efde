import type { ObjectWriter, Transport } from '../transport';
import { check, checkBytes, listAll, rejectsWith, rejectsWithClass, thrown } from './_assert';
import { type ConformanceCase, keyFor, listSettled } from './_case';
import { seededBytes } from './_prng';

/** Pieces of varied sizes (one empty, one over 1 MiB) and what they make joined. */
function pieces(seed: number): { parts: Uint8Array[]; whole: Uint8Array } {
  const parts = [1, 0, 4096, 70_000, (1 << 20) + 3, 17].map((n, i) => seededBytes(n, seed + i));
  const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    whole.set(p, at);
    at += p.length;
  }
  return { parts, whole };
}

/** Writes every piece with the writes overlapping, as a pack writer does. */
async function writeAll(w: ObjectWriter, parts: Uint8Array[]): Promise<void> {
  await Promise.all(parts.map((p) => w.write(p)));
}

/** Fails if `key` can be seen in any way. */
async function checkInvisible(transport: Transport, key: string, what: string): Promise<void> {
  check((await transport.stat(key)) === undefined, `${what}: stat(${key}) must find nothing`);
  await rejectsWith(() => transport.get(key), 'NOT_FOUND', `${what}: get(${key})`);
  const listing = await listAll(transport.list(''), `${what}: list('')`);
  check(listing.size === 0, () => `${what}: list('') must be empty, got ${[...listing.keys()].join(', ')}`);
}

/**
 * `openWriter`, for transports that have it (objects written piece by piece and named at the
 * end); on a transport without it these cases check nothing.
 */
export const writerCases: ConformanceCase[] = [
  {
    id: 'writer-commit',
    group: 'writer',
    title: 'a written object is invisible until commit, then holds the pieces in call order',
    async run({ transport, random }) {
      if (!transport.openWriter) return;
      const key = keyFor('data', random);
      const { parts, whole } = pieces(21);
      const w = await transport.openWriter();
      await writeAll(w, parts);
      check(w.size === whole.length, () => `size after writing must be ${whole.length}, got ${w.size}`);
      await checkInvisible(transport, key, 'before commit');
      await w.commit(key);
      checkBytes(await transport.get(key), whole, `get(${key}) after commit`);
      check((await transport.stat(key))?.size === whole.length, `stat(${key}) after commit`);
      const listing = await listSettled(transport, 'data/', (l) => l.has(key));
      check(listing.size === 1 && listing.get(key) === whole.length, `list('data/') after commit`);
      await rejectsWithClass(() => w.write(parts[0]!), TypeError, 'write after commit');
      await rejectsWithClass(() => w.commit(keyFor('data', random)), TypeError, 'a second commit');
      await w.abort(); // does nothing on a finished writer
      checkBytes(await transport.get(key), whole, `get(${key}) after abort of a committed writer`);
    },
  },
  {
    id: 'writer-empty',
    group: 'writer',
    title: 'a writer committed without writes stores an empty object',
    async run({ transport, random }) {
      if (!transport.openWriter) return;
      const key = keyFor('index', random);
      const w = await transport.openWriter();
      await w.commit(key);
      checkBytes(await transport.get(key), new Uint8Array(0), `get(${key})`);
    },
  },
  {
    id: 'writer-reuse',
    group: 'writer',
    title: 'a piece may be changed once its write resolved; the stored bytes stay',
    async run({ transport, random }) {
      if (!transport.openWriter) return;
      const key = keyFor('data', random);
      const piece = seededBytes(100_000, 31);
      const want = piece.slice();
      const w = await transport.openWriter();
      await w.write(piece);
      piece.fill(0xee);
      await w.commit(key);
      checkBytes(await transport.get(key), want, `get(${key})`);
    },
  },
  {
    id: 'writer-abort',
    group: 'writer',
    title: 'abort leaves no object and no listed file; the writer is finished',
    async run({ transport }) {
      if (!transport.openWriter) return;
      const { parts } = pieces(41);
      const w = await transport.openWriter();
      await writeAll(w, parts);
      await w.abort();
      await w.abort();
      const listing = await listAll(transport.list(''), "list('') after abort");
      check(
        listing.size === 0,
        () => `nothing may be listed after abort, got ${[...listing.keys()].join(', ')}`,
      );
      await rejectsWithClass(() => w.write(parts[0]!), TypeError, 'write after abort');
      await thrown(() => w.commit('data/after-abort'), 'commit after abort');
      check((await transport.stat('data/after-abort')) === undefined, 'commit after abort stores nothing');
    },
  },
  {
    id: 'writer-if-absent',
    group: 'writer',
    title: 'commit with ifAbsent refuses a taken key and keeps the object; without it, replaces',
    async run({ transport, random }) {
      if (!transport.openWriter) return;
      const key = keyFor('locks', random);
      const first = seededBytes(64, 51);
      await transport.put(key, first);
      const w = await transport.openWriter();
      await w.write(seededBytes(80, 52));
      await rejectsWith(() => w.commit(key, { ifAbsent: true }), 'ALREADY_EXISTS', 'create-only commit');
      checkBytes(await transport.get(key), first, `get(${key}) after a refused commit`);
      const listing = await listAll(transport.list(''), "list('') after a refused commit");
      check(listing.size === 1, () => `only ${key} may be listed, got ${[...listing.keys()].join(', ')}`);
      const second = seededBytes(90, 53);
      const r = await transport.openWriter();
      await r.write(second);
      await r.commit(key);
      checkBytes(await transport.get(key), second, `get(${key}) after a replacing commit`);
    },
  },
  {
    id: 'writer-bad-key',
    group: 'writer',
    title: 'commit to a hostile key is a TypeError and stores nothing',
    async run({ transport }) {
      if (!transport.openWriter) return;
      for (const key of ['../config', 'data/../../x', '/abs', 'data/.kluis-tmp-0', '']) {
        const w = await transport.openWriter();
        await w.write(seededBytes(10, 61));
        await rejectsWithClass(() => w.commit(key), TypeError, `commit(${JSON.stringify(key)})`);
        await w.abort();
      }
      const listing = await listAll(transport.list(''), "list('')");
      check(listing.size === 0, () => `nothing may be stored, got ${[...listing.keys()].join(', ')}`);
    },
  },
];
