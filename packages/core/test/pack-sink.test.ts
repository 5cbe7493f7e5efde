import { describe, expect, it, vi } from 'vitest';
import { toHex } from '../src/crypto/hex';
import { portableCrypto } from '../src/crypto/portable';
import { KluisError, memoryTransport, type Transport } from '../src/index';
import { nativeCrypto } from '../src/node/crypto';
import { nodeDeflateRaw } from '../src/node/zlib-codec';
import { PackBufferPool, readPackHeader } from '../src/repo/format/pack';
import { createSealer } from '../src/repo/format/sealer';
import { BufferedPackSink, type PackSink, StreamedPackSink } from '../src/repo/store/_pack-sink';
import { inlineBlobDecoder } from '../src/repo/store/blob-decoder';
import { inlineBlobEncoder } from '../src/repo/store/blob-encoder';
import { BlobStore } from '../src/repo/store/blob-store';
import { prng } from './helpers/trees';
import { withWriters } from './helpers/writers';

const keys = { encryption: new Uint8Array(32).fill(1), id: new Uint8Array(32).fill(2) };
/** Zero "random" bytes: the header's nonce is the same every time, so two packs of the same blobs are the same bytes. */
const fixed = createSealer({ ...portableCrypto, randomBytes: (n) => new Uint8Array(n) }, keys);
const entry = (i: number) => ({ codec: 0, id: new Uint8Array(32).fill(i & 0xff), rawLength: 1000 + i });
const quota = () => new KluisError('QUOTA', 'storage full');
const CAPACITY = 64 << 10;

interface Kind {
  name: string;
  pool: PackBufferPool;
  make(t: Transport): Promise<PackSink>;
}

/** Each implementation, made afresh for each test (its own pool, to count what comes back). */
const kinds = (): Kind[] => {
  const buffered = new PackBufferPool(CAPACITY, 2);
  const streamed = new PackBufferPool(CAPACITY, 2);
  return [
    {
      name: 'buffered',
      pool: buffered,
      make: async (t) => new BufferedPackSink(t, fixed, 'data', buffered, CAPACITY),
    },
    { name: 'streamed', pool: streamed, make: (t) => StreamedPackSink.open(t, fixed, 'data', CAPACITY) },
  ];
};

async function stored(t: Transport): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for await (const o of t.list('data/')) out.set(o.key, await t.get(o.key));
  return out;
}

describe.each(['buffered', 'streamed'])('PackSink contract: %s', (name) => {
  const kind = () => kinds().find((k) => k.name === name)!;

  it('stores its blobs in the order added, under the SHA-256 of the pack, with a header listing them', async () => {
    const t = memoryTransport();
    const sink = await kind().make(t);
    const blobs = [prng(50, 1), prng(3000, 2), prng(41, 3), prng(20_000, 4)];
    for (const [i, b] of blobs.entries()) await sink.add(entry(i), b.slice());
    expect(sink.count).toBe(4);
    expect(sink.size).toBe(blobs.reduce((n, b) => n + b.length, 0));
    const { id, entries } = sink.finish();
    const key = `data/${toHex(id)}`;
    await sink.store(key);
    const bytes = await t.get(key);
    expect(toHex(fixed.sha256(bytes))).toBe(toHex(id));
    expect(readPackHeader(fixed, bytes, key)).toEqual(entries);
    let offset = 0;
    for (const [i, e] of entries.entries()) {
      expect(e).toMatchObject({ type: 'data', offset, length: blobs[i]!.length, rawLength: 1000 + i });
      expect(bytes.subarray(e.offset, e.offset + e.length)).toEqual(blobs[i]);
      offset += e.length;
    }
  });

  it('releases every blob exactly once, by the time the pack is stored', async () => {
    const t = memoryTransport();
    const sink = await kind().make(t);
    const released: number[] = [];
    for (let i = 0; i < 20; i++) await sink.add(entry(i), prng(100 + i * 700, i), () => released.push(i));
    const { id } = sink.finish();
    await sink.store(`data/${toHex(id)}`);
    expect(released.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
  });

  it('takes any blob while empty, and refuses one that would pass its capacity with the header', async () => {
    const sink = await kind().make(memoryTransport());
    expect(sink.fits(10 * CAPACITY)).toBe(true);
    await sink.add(entry(0), prng(CAPACITY / 2, 5));
    expect(sink.fits(CAPACITY / 4)).toBe(true);
    expect(sink.fits(CAPACITY / 2)).toBe(false);
    await sink.abort();
  });

  it('rejects store with the storage error when the upload or commit fails, and stores nothing', async () => {
    const t = memoryTransport();
    const failing: Transport = {
      ...withWriters(t, { commit: () => Promise.reject(quota()) }),
      put: () => Promise.reject(quota()),
    };
    const k = kind();
    const give = vi.spyOn(k.pool, 'give');
    const sink = await k.make(failing);
    await sink.add(entry(0), prng(5000, 6));
    const { id } = sink.finish();
    await expect(sink.store(`data/${toHex(id)}`)).rejects.toSatisfy((e) => KluisError.is(e, 'QUOTA'));
    await sink.abort(); // as the blob store does after a failure: harmless, and no buffer is given back twice
    expect(await stored(t)).toEqual(new Map());
    expect(give).toHaveBeenCalledTimes(name === 'buffered' ? 1 : 0);
  });

  it('drops everything on abort: nothing is stored', async () => {
    const t = memoryTransport();
    let aborts = 0;
    const counted = withWriters(t, {
      abort: (w) => {
        aborts++;
        return w.abort();
      },
    });
    const sink = await kind().make(counted);
    await sink.add(entry(0), prng(3000, 7));
    await sink.add(entry(1), prng(3000, 8));
    sink.finish();
    await sink.abort();
    expect(await stored(t)).toEqual(new Map());
    expect(aborts).toBe(name === 'streamed' ? 1 : 0);
  });
});

describe('PackSink implementations', () => {
  it('make byte-identical packs from the same blobs', async () => {
    const packs: Uint8Array[] = [];
    for (const k of kinds()) {
      const t = memoryTransport();
      const sink = await k.make(t);
      // Blobs end to end in one buffer (an encoder's batch), then small ones from separate buffers.
      const batch = prng(30_000, 9);
      for (let i = 0; i < 3; i++) await sink.add(entry(i), batch.subarray(i * 10_000, (i + 1) * 10_000));
      for (let i = 3; i < 40; i++) await sink.add(entry(i), prng(41 + i * 13, i));
      const { id } = sink.finish();
      await sink.store(`data/${toHex(id)}`);
      packs.push(await t.get(`data/${toHex(id)}`));
    }
    expect(Buffer.from(packs[0]!).equals(packs[1]!)).toBe(true);
  });

  it('a failed write of a streamed pack fails add or store with it, and nothing is committed', async () => {
    const t = memoryTransport();
    let commits = 0;
    const failing = withWriters(t, {
      write: () => Promise.reject(quota()),
      commit: (k, o, w) => {
        commits++;
        return w.commit(k, o);
      },
    });
    const sink = await StreamedPackSink.open(failing, fixed, 'data', CAPACITY);
    // The write of a 2 MiB blob is issued at once; its failure surfaces at the next add, or at store.
    const error = await (async () => {
      await sink.add(entry(0), prng(2 << 20, 10));
      await sink.add(entry(1), prng(100, 11));
      const { id } = sink.finish();
      await sink.store(`data/${toHex(id)}`);
    })().catch((e: unknown) => e);
    expect(KluisError.is(error, 'QUOTA')).toBe(true);
    await sink.abort();
    expect(commits).toBe(0);
    expect(await stored(t)).toEqual(new Map());
  });
});

describe('BlobStore through either sink', () => {
  /** A blob store on `t` with a 64 KiB pack size and one upload at a time. */
  function store(t: Transport) {
    const sealer = createSealer(nativeCrypto, keys);
    return new BlobStore(t, sealer, {
      packSize: 1 << 16,
      concurrency: 2,
      packUploads: 1,
      encoder: inlineBlobEncoder(nativeCrypto, keys.encryption, undefined),
      readCodec: nodeDeflateRaw,
      decoder: inlineBlobDecoder({ crypto: nativeCrypto, keys, codec: nodeDeflateRaw }),
    });
  }
  /** `t` without `openWriter`, so data packs are buffered. */
  const buffered = (t: Transport): Transport => {
    const { openWriter: _, ...rest } = t;
    return rest;
  };

  it.each([
    ['buffered (put fails)', (t: Transport) => ({ ...buffered(t), put: () => Promise.reject(quota()) })],
    ['streamed (write fails)', (t: Transport) => withWriters(t, { write: () => Promise.reject(quota()) })],
    ['streamed (commit fails)', (t: Transport) => withWriters(t, { commit: () => Promise.reject(quota()) })],
  ])(
    '%s: records the failure, rethrows it from later saves and flush, and stores no pack',
    async (_, wrap) => {
      const t = memoryTransport();
      const blobs = store(wrap(t));
      const saves: Promise<unknown>[] = [];
      for (let i = 0; i < 12; i++) saves.push(blobs.save('data', prng(20_000, 100 + i)));
      const outcomes = await Promise.allSettled(saves);
      await expect(blobs.flush()).rejects.toSatisfy((e) => KluisError.is(e, 'QUOTA'));
      // Once recorded, the failure is what every save meets.
      await expect(blobs.save('data', prng(10, 99))).rejects.toSatisfy((e) => KluisError.is(e, 'QUOTA'));
      for (const o of outcomes)
        if (o.status === 'rejected') expect(KluisError.is(o.reason, 'QUOTA')).toBe(true);
      expect(await stored(t)).toEqual(new Map());
      expect(blobs.index.size).toBe(0);
    },
  );

  it.each([
    ['buffered', buffered],
    ['streamed', (t: Transport) => t],
  ])('%s: blobs enter packs in save order, whatever order their encodes finish in', async (_, wrap) => {
    const t = memoryTransport();
    const blobs = store(wrap(t));
    const inner = blobs.options.encoder;
    let n = 0;
    // Later saves finish encoding first: each waits fewer turns than the one before.
    blobs.options.encoder = {
      ...inner,
      async encode(type, id, plain, owned) {
        for (let turns = 40 - n++; turns > 0; turns--) await null;
        return inner.encode(type, id, plain, owned);
      },
    };
    const ids = await Promise.all(
      Array.from({ length: 30 }, (_, i) => blobs.save('data', prng(5000 + i, 200 + i)).then((r) => r.id)),
    );
    await blobs.flush();
    const placed = [...blobs.index.entries()].sort(
      (a, b) =>
        ids.findIndex((id) => toHex(id) === toHex(a.id)) - ids.findIndex((id) => toHex(id) === toHex(b.id)),
    );
    // In save order, each blob lies right after the one before it, or starts a pack not seen yet.
    const seen = new Set<string>([toHex(placed[0]!.pack)]);
    expect(placed[0]!.offset).toBe(0);
    for (let i = 1; i < placed.length; i++) {
      const [a, b] = [placed[i - 1]!, placed[i]!];
      if (toHex(a.pack) === toHex(b.pack)) expect(b.offset).toBe(a.offset + a.length);
      else {
        expect(seen.has(toHex(b.pack))).toBe(false);
        expect(b.offset).toBe(0);
        seen.add(toHex(b.pack));
      }
    }
    expect(seen.size).toBeGreaterThan(1);
  });
});
