import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../src/crypto/hex';
import { memoryTransport, type Transport } from '../src/index';
import { nativeCrypto } from '../src/node/crypto';
import { nodeDeflateRaw } from '../src/node/zlib-codec';
import { packFits, readPackHeader } from '../src/repo/format/pack';
import { createSealer } from '../src/repo/format/sealer';
import { inlineBlobDecoder } from '../src/repo/store/blob-decoder';
import { inlineBlobEncoder } from '../src/repo/store/blob-encoder';
import { BlobStore } from '../src/repo/store/blob-store';
import { prng } from './helpers/trees';

const keys = { encryption: new Uint8Array(32).fill(3), id: new Uint8Array(32).fill(4) };
/** Zero nonces: the same blobs seal to the same bytes in both stores, so their packs can be compared byte for byte. */
const crypto = { ...nativeCrypto, randomBytes: (n: number) => new Uint8Array(n) };
const sealer = createSealer(crypto, keys);
const PACK_SIZE = 1 << 16;
/** The data pack buffers' capacity: packSize + 1 MiB (see BlobStore). */
const CAPACITY = PACK_SIZE + (1 << 20);

function store(t: Transport): BlobStore {
  return new BlobStore(t, sealer, {
    packSize: PACK_SIZE,
    concurrency: 4,
    packUploads: 2,
    encoder: inlineBlobEncoder(crypto, keys.encryption, undefined),
    readCodec: nodeDeflateRaw,
    decoder: inlineBlobDecoder({ crypto, keys, codec: nodeDeflateRaw }),
  });
}

/** Saves the blobs in order and returns the stored packs (key → bytes) and the IDs added, in order. */
async function fill(t: Transport, blobs: readonly Uint8Array[]) {
  const s = store(t);
  const results = await Promise.all(blobs.map((b) => s.save('data', b)));
  await s.flush();
  const packs = new Map<string, Uint8Array>();
  for await (const o of t.list('data/')) packs.set(o.key, await t.get(o.key));
  return { packs, added: results.filter((r) => r.added).map((r) => toHex(r.id)) };
}

describe('BlobStore packs, buffered and streamed', () => {
  it('respect the buffer capacity, close at packSize, keep save order, and are byte-identical', async () => {
    // Mostly chunk-sized blobs around the capacity's edge, and small ones between them.
    const size = fc.oneof(fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 200_000, max: 1_300_000 }));
    await fc.assert(
      fc.asyncProperty(fc.array(size, { minLength: 1, maxLength: 12 }), async (sizes) => {
        const blobs = sizes.map((n, i) => prng(n, i + 1));
        const streamed = memoryTransport();
        const { openWriter: _, ...buffered } = memoryTransport();
        const a = await fill(streamed, blobs);
        const b = await fill(buffered, blobs);
        expect([...a.packs.keys()].sort()).toEqual([...b.packs.keys()].sort());
        for (const [key, bytes] of a.packs)
          expect(Buffer.from(bytes).equals(b.packs.get(key)!), key).toBe(true);

        // The packs in save order, each with its header's entries.
        const packs = [...a.packs].map(([key, bytes]) => ({
          key,
          bytes,
          entries: readPackHeader(sealer, bytes, key),
        }));
        const first = (p: (typeof packs)[number]) => a.added.indexOf(toHex(p.entries[0]!.id));
        packs.sort((x, y) => first(x) - first(y));
        expect(packs.flatMap((p) => p.entries.map((e) => toHex(e.id)))).toEqual(a.added);
        for (const [i, p] of packs.entries()) {
          const lengths = p.entries.map((e) => e.length);
          const data = lengths.reduce((n, l) => n + l, 0);
          if (lengths.length > 1) expect(p.bytes.length).toBeLessThanOrEqual(CAPACITY);
          // Closed once it reached packSize: never later.
          expect(data - lengths.at(-1)!).toBeLessThan(PACK_SIZE);
          // Closed early only when the next blob would not have fitted.
          const next = packs[i + 1];
          if (next && data < PACK_SIZE)
            expect(packFits(data, lengths.length, next.entries[0]!.length, CAPACITY)).toBe(false);
        }
      }),
      { numRuns: 20 },
    );
  });
});
