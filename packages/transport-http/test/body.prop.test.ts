import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readExactBody } from '../src/_body';

const streamOf = (chunks: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });

const concat = (chunks: Uint8Array[]) => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
};

describe('readExactBody', () => {
  it('returns exactly the bytes sent when they match the declared length, and refuses any other', async () => {
    const chunks = fc.array(fc.uint8Array({ maxLength: 70_000 }), { maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(chunks, fc.integer({ min: -3, max: 3 }), async (parts, delta) => {
        const body = concat(parts);
        const declared = Math.max(0, body.length + delta);
        const r = await readExactBody(streamOf(parts), declared);
        if (declared === body.length) {
          expect(r.ok).toBe(true);
          if (r.ok) {
            expect(r.bytes.length).toBe(declared);
            expect(r.bytes.buffer.byteLength).toBe(declared);
            expect(r.bytes).toEqual(body);
          }
        } else {
          expect(r.ok).toBe(false);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('holds memory for what arrived, not for the declared 1 GiB, while a body stalls', async () => {
    let sent = 0;
    let largest = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 300_000) {
          // The client stalls: report what the reader holds, then break off.
          largest = process.memoryUsage().arrayBuffers;
          controller.error(new Error('connection reset'));
          return;
        }
        controller.enqueue(new Uint8Array(10_000));
        sent += 10_000;
      },
    });
    const before = process.memoryUsage().arrayBuffers;
    const r = await readExactBody(stream, 2 ** 30);
    expect(r).toEqual({
      ok: false,
      read: 300_000,
      reason: 'the upload broke off after 300000 of 1073741824 bytes',
    });
    expect(largest - before).toBeLessThan(2 ** 20 * 8);
  });
});
