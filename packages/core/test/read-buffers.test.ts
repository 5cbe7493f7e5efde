import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReadBuffers } from '../src/repo/store/read-buffers';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('ReadBuffers', () => {
  it('gives small reads no buffer, and large ones at least what they need', () => {
    const pool = new ReadBuffers(4, 64 * MiB);
    expect(pool.take(1000)).toBeUndefined();
    expect(pool.take(128 * KiB - 1)).toBeUndefined();
    expect(pool.take(128 * KiB)!.length).toBe(MiB);
    expect(pool.take(MiB + 1)!.length).toBe(2 * MiB);
  });

  it('hands back the smallest free buffer that fits', () => {
    const pool = new ReadBuffers(4, 64 * MiB);
    const [a, b, c] = [pool.take(3 * MiB)!, pool.take(MiB)!, pool.take(2 * MiB)!];
    for (const x of [a, b, c]) pool.give(x.subarray(0, 10));
    expect(pool.take(1.5 * MiB)!.buffer).toBe(c.buffer);
    expect(pool.take(200 * KiB)!.buffer).toBe(b.buffer);
    expect(pool.take(3 * MiB)!.buffer).toBe(a.buffer);
    expect(pool.take(3 * MiB)!.buffer).not.toBe(a.buffer); // none left: a new one
  });

  it('ignores what is not a pooled buffer: nothing, small or detached buffers', () => {
    const pool = new ReadBuffers(4, 64 * MiB);
    pool.give(undefined);
    pool.give(new Uint8Array(10));
    const moved = pool.take(MiB)!;
    structuredClone(moved.buffer, { transfer: [moved.buffer] });
    expect(moved.buffer.byteLength).toBe(0);
    pool.give(moved);
    const fresh = pool.take(MiB)!;
    expect(fresh.buffer.byteLength).toBe(MiB);
  });

  it('never keeps more than its limits, whatever the order of takes and gives', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.oneof(fc.integer({ min: 0, max: 6 * MiB }), fc.constant(-1)), { maxLength: 60 }),
        (keep, maxMiB, ops) => {
          const pool = new ReadBuffers(keep, maxMiB * MiB);
          const out: Uint8Array[] = [];
          const free = new Set<ArrayBuffer>();
          for (const op of ops) {
            if (op < 0) {
              const b = out.pop();
              if (b) {
                pool.give(b);
                free.add(b.buffer as ArrayBuffer);
              }
              continue;
            }
            const b = pool.take(op);
            if (op < 128 * KiB) {
              expect(b).toBeUndefined();
              continue;
            }
            expect(b!.length).toBeGreaterThanOrEqual(op);
            expect(out.some((o) => o.buffer === b!.buffer)).toBe(false); // never handed out twice
            free.delete(b!.buffer as ArrayBuffer);
            out.push(b!);
          }
          // What the pool holds: probe by taking everything back out.
          const held: ArrayBuffer[] = [];
          for (;;) {
            const b = pool.take(128 * KiB);
            if (!b || !free.has(b.buffer as ArrayBuffer)) break;
            free.delete(b.buffer as ArrayBuffer);
            held.push(b.buffer as ArrayBuffer);
          }
          expect(held.length).toBeLessThanOrEqual(keep);
          const bytes = held.reduce((n, b) => n + b.byteLength, 0);
          expect(held.length <= 1 || bytes <= maxMiB * MiB).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads into a pooled buffer when the reader uses it, and says which bytes the caller owns whole', async () => {
    const pool = new ReadBuffers(2, 64 * MiB);
    // Read into a pooled buffer (a view of its first bytes): the whole buffer is the caller's.
    const used = await pool.read(MiB / 2, async (into) => into!.subarray(0, MiB / 2).fill(1));
    expect(used.bytes.buffer.byteLength).toBe(MiB);
    expect(used.owned).toBe(true);
    // A buffer of the reader's own, all of it the read: owned too.
    const ignored = await pool.read(MiB, async () => new Uint8Array(MiB));
    expect(ignored.owned).toBe(true);
    // A view of a larger buffer the reader made: not the caller's to move or keep.
    const part = await pool.read(MiB, async () => new Uint8Array(2 * MiB).subarray(0, MiB));
    expect(part.owned).toBe(false);
    // The buffers the reader ignored went back to the pool.
    pool.give(used.bytes);
    const a = pool.take(MiB)!;
    const b = pool.take(MiB)!;
    expect(a.buffer).not.toBe(b.buffer);
    expect([a.buffer, b.buffer]).toContain(used.bytes.buffer);
    const small = await pool.read(100, async (into) => {
      expect(into).toBeUndefined();
      return new Uint8Array(200).subarray(0, 100);
    });
    expect(small.owned).toBe(false);
  });
});
