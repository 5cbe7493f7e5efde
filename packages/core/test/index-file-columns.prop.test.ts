// decodeIndexFileColumns agrees with decodeIndexFile: the same contents on every valid index file,
// and on malformed bytes (truncated, altered, extended, random) the same INVALID_DATA error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeIndexFile,
  decodeIndexFileColumns,
  encodeIndexFile,
  type IndexFile,
  type IndexFileColumns,
} from '../src/format/index';

const id = fc.uint8Array({ minLength: 32, maxLength: 32 });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const blob = fc.record({
  id,
  type: fc.constantFrom('data' as const, 'tree' as const),
  codec: fc.integer({ min: 0, max: 255 }),
  offset: u32,
  length: u32,
  rawLength: u32,
});
const indexFile: fc.Arbitrary<IndexFile> = fc.record({
  packs: fc.array(fc.record({ id, blobs: fc.array(blob, { maxLength: 12 }) }), { maxLength: 6 }),
  garbage: fc.array(fc.record({ pack: id, markedAt: fc.double({ noNaN: true, noDefaultInfinity: true }) }), {
    maxLength: 3,
  }),
  supersedes: fc.array(id, { maxLength: 3 }),
});

/** The columns read back as the object form decodeIndexFile returns. */
function asFile(c: IndexFileColumns): IndexFile {
  return {
    packs: c.packIds.map((pid, p) => {
      const blobs: IndexFile['packs'][number]['blobs'] = [];
      for (let r = c.packStart[p]!; r < c.packStart[p + 1]!; r++)
        blobs.push({
          type: c.type[r] === 1 ? 'tree' : 'data',
          codec: c.codec[r]!,
          offset: c.offset[r]!,
          length: c.length[r]!,
          rawLength: c.rawLength[r]!,
          id: c.ids.slice(r * 32, r * 32 + 32),
        });
      return { id: pid, blobs };
    }),
    garbage: c.garbage,
    supersedes: c.supersedes,
  };
}

function outcome(decode: () => IndexFile): { ok: IndexFile } | { code: string; message: string } {
  try {
    return { ok: decode() };
  } catch (e) {
    const k = e as { code: string; message: string };
    return { code: k.code, message: k.message };
  }
}

describe('decodeIndexFileColumns', () => {
  it('decodes every valid index file as decodeIndexFile does', () => {
    fc.assert(
      fc.property(indexFile, (f) => {
        const plain = encodeIndexFile(f);
        const cols = decodeIndexFileColumns(plain, 'index/x');
        expect(asFile(cols)).toEqual(decodeIndexFile(plain, 'index/x'));
        expect(asFile(cols)).toEqual(f);
        expect(cols.ids.length).toBe(cols.offset.length * 32);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects the same malformed inputs with the same typed error', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({
        kind: fc.constant('append' as const),
        extra: fc.uint8Array({ minLength: 1, maxLength: 50 }),
      }),
    );
    const bytes = fc.oneof(
      fc.tuple(indexFile, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([f, ms]) => {
        let b = encodeIndexFile(f);
        for (const m of ms) {
          if (m.kind === 'truncate') b = b.slice(0, m.at % (b.length + 1));
          else if (m.kind === 'set' && b.length > 0) b[m.at % b.length] = m.value;
          else if (m.kind === 'append') b = new Uint8Array([...b, ...m.extra]);
        }
        return b;
      }),
      fc.uint8Array({ maxLength: 200 }).map((b) => new Uint8Array([0x4b, 0x49, 0x58, 0x31, ...b])),
      fc.uint8Array({ maxLength: 64 }),
    );
    let rejected = 0;
    fc.assert(
      fc.property(bytes, (b) => {
        const want = outcome(() => decodeIndexFile(b, 'index/x'));
        const got = outcome(() => asFile(decodeIndexFileColumns(b, 'index/x')));
        expect(got).toEqual(want);
        if ('code' in want) {
          expect(want.code).toBe('INVALID_DATA');
          rejected++;
        }
      }),
      { numRuns: 1000 },
    );
    expect(rejected).toBeGreaterThan(100);
  });
});
