// The BlobIndex's radix sort and bulk loading: sortSlots orders slots as the reference comparator
// sort does (prefix, then full ID, then slot); an index filled by addColumns, addPack and add in
// any mix holds, for every ID, its first location, in ID order; dropSlots removes exactly the
// dropped files' entries and the packs only they referenced.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IndexFileColumns } from '../src/format/index';
import { BlobIndex, type BlobLocation } from '../src/format/index';
import { sortSlots } from '../src/repo/store/blob-index';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const compare = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b);

// IDs from a small pool with few distinct prefixes, so that equal prefixes and equal IDs are common.
const blobId = fc
  .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 255 }))
  .map(([p, q, r]) => {
    const b = new Uint8Array(32);
    b[0] = p === 3 ? 0xff : p; // prefixes near both ends of the 32-bit range
    b[3] = p * 17;
    b[10] = q;
    b[31] = r & 3;
    return b;
  });
const packId = fc.integer({ min: 0, max: 4 }).map((n) => new Uint8Array(32).fill(n + 1));
const loc = fc.record({
  id: blobId,
  type: fc.constantFrom('data' as const, 'tree' as const),
  codec: fc.integer({ min: 0, max: 127 }),
  offset: fc.nat(),
  length: fc.nat(),
  rawLength: fc.nat(),
});
type Loc = Omit<BlobLocation, 'pack'>;
const file = fc.array(fc.record({ pack: packId, blobs: fc.array(loc, { maxLength: 8 }) }), { maxLength: 4 });

function columns(packs: { pack: Uint8Array; blobs: Loc[] }[]): IndexFileColumns {
  const all = packs.flatMap((p) => p.blobs);
  const packStart = new Uint32Array(packs.length + 1);
  let n = 0;
  packs.forEach((p, k) => {
    packStart[k] = n;
    n += p.blobs.length;
  });
  packStart[packs.length] = n;
  const ids = new Uint8Array(n * 32);
  for (const [r, b] of all.entries()) ids.set(b.id, r * 32);
  return {
    packIds: packs.map((p) => p.pack),
    packStart,
    ids,
    type: Uint8Array.from(all, (b) => (b.type === 'tree' ? 1 : 0)),
    codec: Uint8Array.from(all, (b) => b.codec),
    offset: Uint32Array.from(all, (b) => b.offset),
    length: Uint32Array.from(all, (b) => b.length),
    rawLength: Uint32Array.from(all, (b) => b.rawLength),
    garbage: [],
    supersedes: [],
  };
}

/** First location per ID, in ID order: what the index must hold after adding `locs` in order. */
function reference(locs: BlobLocation[]): BlobLocation[] {
  const first = new Map<string, BlobLocation>();
  for (const l of locs) if (!first.has(hex(l.id))) first.set(hex(l.id), l);
  return [...first.values()].sort((a, b) => compare(a.id, b.id));
}

describe('BlobIndex sorting', () => {
  it('sortSlots orders slots by prefix, then full ID, then slot', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.nat(3))), (rows) => {
        const prefix = Uint32Array.from(rows, ([p]) => p);
        const tie = (a: number, b: number) => rows[a]![1] - rows[b]![1] || a - b;
        const want = rows.map((_, i) => i).sort((a, b) => prefix[a]! - prefix[b]! || tie(a, b));
        expect([...sortSlots(prefix, rows.length, tie)]).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the first location of every ID, in ID order, whatever mix of addColumns, addPack and add', () => {
    const step = fc.oneof(
      file.map((f) => ({ kind: 'columns' as const, f })),
      fc
        .record({ pack: packId, blobs: fc.array(loc, { maxLength: 8 }) })
        .map((p) => ({ kind: 'pack' as const, p })),
      fc.record({ pack: packId, blob: loc }).map((a) => ({ kind: 'add' as const, a })),
      fc.constant({ kind: 'lookup' as const }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        const index = new BlobIndex();
        const added: BlobLocation[] = [];
        for (const s of steps) {
          if (s.kind === 'columns') {
            index.addColumns(columns(s.f));
            for (const p of s.f) for (const b of p.blobs) added.push({ ...b, pack: p.pack });
          } else if (s.kind === 'pack') {
            index.addPack(s.p.pack, s.p.blobs);
            for (const b of s.p.blobs) added.push({ ...b, pack: s.p.pack });
          } else if (s.kind === 'add') {
            index.add({ ...s.a.blob, pack: s.a.pack });
            added.push({ ...s.a.blob, pack: s.a.pack });
          } else index.has(new Uint8Array(32));
        }
        const want = reference(added);
        expect(index.size).toBe(want.length);
        expect([...index.entries()].sort((a, b) => compare(a.id, b.id))).toEqual(want);
        for (const w of want) expect(index.get(w.id)).toEqual(w);
      }),
      { numRuns: 300 },
    );
  });

  it('dropSlots removes exactly the dropped files, and the packs only they referenced', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(file, fc.boolean()), { maxLength: 6 }), (files) => {
        const index = new BlobIndex();
        const slots = files.map(([f]) => index.addColumns(columns(f)));
        index.dropSlots(slots.filter((_, k) => files[k]![1]));
        const kept = files.filter(([, drop]) => !drop).flatMap(([f]) => f);
        const want = reference(kept.flatMap((p) => p.blobs.map((b) => ({ ...b, pack: p.pack }))));
        expect([...index.entries()].sort((a, b) => compare(a.id, b.id))).toEqual(want);
        const packs = new Set(kept.filter((p) => p.blobs.length > 0).map((p) => hex(p.pack)));
        expect(new Set(index.packs().map(hex))).toEqual(packs);
      }),
      { numRuns: 300 },
    );
  });
});
