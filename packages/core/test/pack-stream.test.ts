import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../src/crypto/hex';
import { portableCrypto } from '../src/crypto/portable';
import {
  backup,
  check,
  initRepository,
  KluisError,
  memoryTransport,
  type ObjectWriter,
  openRepository,
  restore,
  type Transport,
} from '../src/index';
import { readPackHeader } from '../src/repo/format/pack';
import { createSealer } from '../src/repo/format/sealer';
import { PackStream } from '../src/repo/store/_pack-stream';
import { inlineBlobEncoder } from '../src/repo/store/blob-encoder';
import { memSource, memTarget, prng } from './helpers/trees';
import { sleep, withWriters } from './helpers/writers';

const sealer = createSealer(portableCrypto, {
  encryption: new Uint8Array(32).fill(1),
  id: new Uint8Array(32).fill(2),
});
const entry = (i: number) => ({ codec: 0, id: new Uint8Array(32).fill(i & 0xff), rawLength: 100 + i });

/** A writer whose writes resolve only when the test says so, recording what it was given. */
function heldWriter() {
  const writes: { bytes: Uint8Array; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const writer: ObjectWriter = {
    size: 0,
    write: (bytes) =>
      new Promise<void>((resolve, reject) => {
        writes.push({ bytes: bytes.slice(), resolve, reject });
      }),
    commit: async () => {},
    abort: async () => {},
  };
  return { writer, writes };
}

describe('PackStream', () => {
  it('stores the layout a pack reader expects, named by the SHA-256 of its bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 41, maxLength: 5000 }), { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        async (blobs, shared) => {
          const t = memoryTransport();
          const s = new PackStream(await t.openWriter!(), sealer, 'data');
          // Either views end to end in one buffer (an encoder answer) or separate buffers.
          const backing = new Uint8Array(blobs.reduce((n, b) => n + b.length, 0));
          let at = 0;
          for (const [i, b] of blobs.entries()) {
            const view = shared ? backing.subarray(at, at + b.length) : b.slice();
            view.set(b);
            at += b.length;
            await s.add(entry(i), view);
          }
          const { id, entries } = s.finish();
          const key = `data/${toHex(id)}`;
          await s.writer.commit(key);
          const stored = await t.get(key);
          expect(toHex(sealer.sha256(stored))).toBe(toHex(id));
          const header = readPackHeader(sealer, stored, key);
          expect(header).toEqual(entries);
          for (const [i, e] of header.entries()) {
            expect(e.rawLength).toBe(100 + i);
            expect(stored.subarray(e.offset, e.offset + e.length)).toEqual(blobs[i]);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('writes blobs lying end to end in one buffer as one piece, and releases each blob only once written', async () => {
    const { writer, writes } = heldWriter();
    const s = new PackStream(writer, sealer, 'data');
    const answer = new Uint8Array(3000).map((_, i) => i);
    const released: number[] = [];
    for (let i = 0; i < 3; i++)
      await s.add(entry(i), answer.subarray(i * 1000, i * 1000 + 1000), () => released.push(i));
    expect(writes).toHaveLength(0); // still gathering
    // Large enough to be written from its own buffer (a smaller one is copied: next test).
    const other = new Uint8Array(70_000).fill(9);
    await s.add(entry(3), other, () => released.push(3));
    expect(writes).toHaveLength(1);
    expect(writes[0]!.bytes).toEqual(answer);
    expect(released).toEqual([]);
    writes[0]!.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(released).toEqual([0, 1, 2]);
    s.finish();
    expect(writes).toHaveLength(3); // the last blob, then header and length
    expect(writes[1]!.bytes).toEqual(other);
    writes[1]!.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(released).toEqual([0, 1, 2, 3]);
  });

  it('copies small blobs from separate buffers into pieces of its own: one write per MiB, not per blob', async () => {
    // As a tree of small files gives them: one small sealed blob per answer, in no order.
    const t = memoryTransport();
    const inner = await t.openWriter!();
    let writeCalls = 0;
    const writer: ObjectWriter = {
      ...inner,
      write: (b) => {
        writeCalls++;
        return inner.write(b);
      },
      commit: (k) => inner.commit(k),
      abort: () => inner.abort(),
    };
    const s = new PackStream(writer, sealer, 'data');
    const blobs = Array.from({ length: 4000 }, (_, i) => prng(100 + ((i * 397) % 1500), i));
    let released = 0;
    let total = 0;
    for (const [i, b] of blobs.entries()) {
      const own = b.slice();
      await s.add(entry(i), own, () => {
        released++;
        own.fill(0xee); // the caller reuses its memory at once: the pack must not change
      });
      total += b.length;
      // Copied, so released at once; the first waits for a second small one (it could have been
      // the start of an encoder's answer, written uncopied).
      expect(released).toBe(i === 0 ? 0 : i + 1);
    }
    const { id, entries } = s.finish();
    const key = `data/${toHex(id)}`;
    await s.settled();
    await writer.commit(key);
    // ~3.2 MB: four pieces of 1 MiB at most, then the header and its length.
    expect(writeCalls).toBeLessThanOrEqual(Math.ceil(total / (1 << 20)) + 1);
    const stored = await t.get(key);
    expect(toHex(sealer.sha256(stored))).toBe(toHex(id));
    const header = readPackHeader(sealer, stored, key);
    expect(header).toEqual(entries);
    for (const [i, e] of header.entries())
      expect(stored.subarray(e.offset, e.offset + e.length)).toEqual(blobs[i]);
  });

  it('waits while more than 4 MiB are being written', async () => {
    const { writer, writes } = heldWriter();
    const s = new PackStream(writer, sealer, 'data');
    for (let i = 0; i < 4; i++) await s.add(entry(i), new Uint8Array(1 << 20));
    let added = false;
    const fifth = s.add(entry(4), new Uint8Array(1 << 20)).then(() => {
      added = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(writes).toHaveLength(5);
    expect(added).toBe(false);
    writes[0]!.resolve();
    await fifth;
    expect(added).toBe(true);
  });

  it('fails the next add and finish after a failed write, still releasing the blob', async () => {
    const { writer, writes } = heldWriter();
    const s = new PackStream(writer, sealer, 'data');
    let released = false;
    await s.add(entry(0), new Uint8Array(2 << 20), () => {
      released = true;
    });
    writes[0]!.reject(new Error('disk full'));
    await new Promise((r) => setTimeout(r, 0));
    expect(released).toBe(true);
    await expect(s.add(entry(1), new Uint8Array(10))).rejects.toThrow('disk full');
    expect(() => s.finish()).toThrow('disk full');
  });
});

describe('a backup through openWriter', () => {
  const SCRYPT = { N: 1024, r: 8, p: 1 };
  const tree = {
    d: { 'a.bin': prng(300_000, 1), 'b.txt': new TextEncoder().encode('text '.repeat(20_000)) },
  };

  /** `t` with pack writes failing (QUOTA) while `failing()` says so; commits and aborts are counted. */
  function flaky(t: Transport, failing: () => boolean) {
    const seen = { commits: 0, aborts: 0 };
    const transport = withWriters(t, {
      write: (b, w) => (failing() ? Promise.reject(new KluisError('QUOTA', 'storage full')) : w.write(b)),
      commit: (k, co, w) => {
        seen.commits++;
        return w.commit(k, co);
      },
      abort: (w) => {
        seen.aborts++;
        return w.abort();
      },
    });
    return { transport, seen };
  }

  it('never reads a blob after releasing it (an encoder may move its memory at once)', async () => {
    const t = memoryTransport();
    await initRepository(t, { password: 'pw', scrypt: SCRYPT, packSize: 1 << 16 });
    let released = 0;
    // Commits that take a while: the next pack waits for one, and its last blob's write (and
    // release) completes during that wait.
    const slow = withWriters(t, {
      commit: async (k, co, w) => {
        await sleep(5);
        await w.commit(k, co);
      },
    });
    const repo = await openRepository(slow, {
      password: 'pw',
      packUploads: 1,
      encoder: (o) => {
        const inline = inlineBlobEncoder(o.crypto, o.key, o.codec);
        return {
          ...inline,
          async encode(type, id, plain, owned) {
            const e = await inline.encode(type, id, plain, owned);
            // As a worker encoder may: the memory goes to another thread (detached here).
            const release = () => {
              released++;
              e.sealed.fill(0);
              structuredClone(e.sealed.buffer, { transfer: [e.sealed.buffer as ArrayBuffer] });
            };
            return { ...e, release };
          },
        };
      },
    });
    const { snapshot } = await backup(repo, memSource(tree));
    // Every data blob was released (how many there are depends on the repository's chunker key).
    const data = [...repo.blobs.index.entries()].filter((e) => e.type === 'data');
    expect(data.length).toBeGreaterThanOrEqual(3);
    expect(released).toBeGreaterThanOrEqual(data.length);
    let stored = 0;
    for (const e of data) stored += e.length;
    expect(snapshot.summary.bytesStored).toBe(stored);
    expect((await check(repo, { readData: true })).ok).toBe(true);
    const { target, root } = memTarget();
    await restore(repo, 'latest', target);
    expect(root).toEqual(tree);
  });

  it('fails with the write error, stores no data blob, and the next backup completes', async () => {
    const t = memoryTransport();
    await initRepository(t, { password: 'pw', scrypt: SCRYPT, packSize: 1 << 16 });
    let failing = true;
    const { transport, seen } = flaky(t, () => failing);
    const repo = await openRepository(transport, { password: 'pw' });
    await expect(backup(repo, memSource(tree))).rejects.toSatisfy((e) => KluisError.is(e, 'QUOTA'));
    expect(seen.commits).toBe(0);
    expect(seen.aborts).toBeGreaterThan(0);
    // Tree packs go through put and may be stored; no pack may hold a data blob.
    for await (const o of t.list('data/')) {
      const entries = await repo.blobs.readHeader(o.key.slice(5), o.size);
      expect(
        entries.filter((e) => e.type === 'data'),
        o.key,
      ).toEqual([]);
    }
    expect((await check(repo)).ok).toBe(true);
    failing = false;
    const again = await openRepository(transport, { password: 'pw' });
    const { id } = await backup(again, memSource(tree));
    expect(seen.commits).toBeGreaterThan(0);
    expect((await check(again, { readData: true })).ok).toBe(true);
    const { target, root } = memTarget();
    await restore(again, id, target);
    expect(root).toEqual(tree);
  });
});
