import { describe, expect, it } from 'vitest';
import { inlineBlobDecoder } from '../src/format/index';
import { backup, check, initRepository, memoryTransport, openRepository, restore } from '../src/index';
import { nativeCrypto, nodeDeflateRaw, workerBlobEncoder } from '../src/node/index';
import { type MemTree, memSource, memTarget, prng } from './helpers/trees';
import { sleep, withWriters } from './helpers/writers';

const text = (s: string) => new TextEncoder().encode(s);

/** A fresh in-memory repository encoding on `threads` worker threads. */
function workerRepo(threads: number) {
  return initRepository(memoryTransport(), {
    password: 'pw',
    scrypt: { N: 1024, r: 8, p: 1 },
    crypto: nativeCrypto,
    codec: nodeDeflateRaw,
    encoder: workerBlobEncoder({ threads, inlineBytes: 0 }),
  });
}

describe('workerBlobEncoder', () => {
  it('backs up on worker threads; the inline path reads it back byte for byte', {
    timeout: 180_000,
  }, async () => {
    const t = memoryTransport();
    const options = {
      crypto: nativeCrypto,
      codec: nodeDeflateRaw,
      encoder: workerBlobEncoder({ threads: 2, inlineBytes: 0 }),
    };
    const repo = await initRepository(t, { password: 'pw', scrypt: { N: 1024, r: 8, p: 1 }, ...options });
    const tree: MemTree = {
      d: {
        'random.bin': prng(1_500_000, 4),
        'text.txt': text('compressible line\n'.repeat(50_000)),
        empty: new Uint8Array(0),
      },
    };
    const { snapshot } = await backup(repo, memSource(tree), {});
    await repo.close();
    expect(snapshot.summary.bytesStored).toBeLessThan(snapshot.summary.bytesRead);
    const reader = await openRepository(t, { password: 'pw' });
    const { target, root } = memTarget();
    await restore(reader, 'latest', target, { verify: true });
    expect(root).toEqual(tree);
    expect((await check(reader, { readData: true })).ok).toBe(true);
  });

  it('counts every stored byte when packs are written while they fill, however slow the writes', {
    timeout: 120_000,
  }, async () => {
    // Slow writes and commits keep megabytes in flight, so blobs are released (and their answer
    // buffers reused by the threads) while the store still works on them.
    const t = memoryTransport();
    const slow = withWriters(t, {
      write: async (b, w) => {
        const copy = b.slice();
        await sleep(3);
        await w.write(copy);
      },
      commit: async (k, co, w) => {
        await sleep(20);
        await w.commit(k, co);
      },
    });
    const options = {
      crypto: nativeCrypto,
      codec: nodeDeflateRaw,
      encoder: workerBlobEncoder({ threads: 2, inlineBytes: 0 }),
    };
    await initRepository(t, { password: 'pw', scrypt: { N: 1024, r: 8, p: 1 }, packSize: 1 << 20 });
    const repo = await openRepository(slow, { password: 'pw', ...options });
    const big = prng(6_000_000, 11);
    const tree: MemTree = { d: { 'a.bin': big, 'b.txt': text('line of text\n'.repeat(300_000)) } };
    const { snapshot } = await backup(repo, memSource(tree), {});
    let stored = 0;
    for (const e of repo.blobs.index.entries()) if (e.type === 'data') stored += e.length;
    expect(snapshot.summary.bytesStored).toBe(stored);
    await repo.close();
    const { target, root } = memTarget();
    await restore(await openRepository(t, { password: 'pw' }), 'latest', target, { verify: true });
    expect(Buffer.from((root.d as MemTree)['a.bin'] as Uint8Array).equals(big)).toBe(true);
  });

  it('moves large owned blobs to the worker instead of copying them, and leaves others alone', {
    timeout: 60_000,
  }, async () => {
    const repo = await workerRepo(1);
    const kept = prng(700_000, 1);
    const handed = prng(700_000, 2);
    const expected = handed.slice();
    const a = await repo.blobs.save('data', kept);
    const b = await repo.blobs.save('data', handed, { owned: true });
    expect(kept.length).toBe(700_000); // not owned: still readable
    expect(handed.length).toBe(0); // owned: its buffer went to the worker
    expect(b).toMatchObject({ added: true });
    await repo.blobs.flush();
    await repo.close();
    expect(await repo.blobs.load(b.id)).toEqual(expected);
    expect(await repo.blobs.load(a.id)).toEqual(kept);
  });

  it('copies small blobs into one batch at once: the caller may overwrite its buffer after save', {
    timeout: 60_000,
  }, async () => {
    const repo = await workerRepo(2);
    expect(repo.blobs.options.encoder.copiesInput).toBe(true);
    // Sizes around the batch limits: tiny, compressible, random, just over half a batch (alone).
    const sizes = [1, 63, 64, 4096, 300_000, 400_000, 524_288, 524_289, 20_000];
    const originals = sizes.map((n, i) => (i % 2 ? new Uint8Array(n).fill(i) : prng(n, 10 + i)));
    const scratch = new Uint8Array(600_000);
    const saving = originals.map((o) => {
      scratch.set(o);
      const view = scratch.subarray(0, o.length);
      const p = repo.blobs.save('data', view, { id: repo.sealer.blobId(o) });
      scratch.fill(0xee); // reused at once, before the save settles
      return p;
    });
    const results = await Promise.all(saving);
    expect(results.every((r) => r.added)).toBe(true);
    await repo.blobs.flush();
    await repo.close();
    for (const [i, r] of results.entries()) expect(await repo.blobs.load(r.id)).toEqual(originals[i]);
  });

  it('encodes the first inlineBytes on the calling thread, then hands work to the threads once they run', {
    timeout: 60_000,
  }, async () => {
    const key = nativeCrypto.randomBytes(32);
    const keys = { encryption: key, id: nativeCrypto.randomBytes(32) };
    const encoder = workerBlobEncoder({ threads: 1, inlineBytes: 100_000 })({
      crypto: nativeCrypto,
      key,
      codec: nodeDeflateRaw,
    });
    const decoder = inlineBlobDecoder({ crypto: nativeCrypto, keys, codec: nodeDeflateRaw });
    const encodeAndOpen = async (plain: Uint8Array) => {
      const id = nativeCrypto.hmacSha256(keys.id, plain);
      const scratch = plain.slice();
      const pending = encoder.encode('data', id, scratch);
      scratch.fill(0); // copiesInput holds on the calling thread too
      const e = await pending;
      const [opened] = await decoder.open({
        bytes: e.sealed,
        blobs: [
          { type: 'data', id, offset: 0, length: e.sealed.length, codec: e.codec, rawLength: plain.length },
        ],
        where: 'test',
      });
      expect(Buffer.from(opened!).equals(Buffer.from(plain))).toBe(true);
      return e;
    };
    // Below the limit: encoded here (a thread's batched answer would come with `release`).
    const small = await encodeAndOpen(text('y'.repeat(60_000)));
    expect(small.release).toBeUndefined();
    // This one crosses the limit and starts the thread; it is still encoded here.
    const crossing = await encodeAndOpen(prng(60_000, 7));
    expect(crossing.release).toBeUndefined();
    // Once the thread runs, blobs go to it.
    let fromThread = false;
    for (let i = 0; i < 200 && !fromThread; i++) {
      const e = await encodeAndOpen(prng(5_000, 100 + i));
      fromThread = typeof e.release === 'function';
      e.release?.();
      if (!fromThread) await sleep(25);
    }
    expect(fromThread).toBe(true);
    await encoder.close();
  });

  it('seals a batch into an answer buffer that is sealed into again once every blob is released', {
    timeout: 60_000,
  }, async () => {
    const key = nativeCrypto.randomBytes(32);
    const encoder = workerBlobEncoder({ threads: 1, inlineBytes: 0 })({
      crypto: nativeCrypto,
      key,
      codec: nodeDeflateRaw,
    });
    const keys = { encryption: key, id: nativeCrypto.randomBytes(32) };
    const decoder = inlineBlobDecoder({ crypto: nativeCrypto, keys, codec: nodeDeflateRaw });
    const batch = async (seed: number) => {
      const plains = [
        text('x'.repeat(5000)),
        prng(70_000, seed),
        new Uint8Array(10),
        prng(300_000, seed + 1),
      ];
      const ids = plains.map((p) => nativeCrypto.hmacSha256(keys.id, p));
      // One turn of the event loop: one batch, one answer.
      const encoded = await Promise.all(plains.map((p, i) => encoder.encode('data', ids[i]!, p)));
      return { plains, ids, encoded };
    };
    const opens = async (b: Awaited<ReturnType<typeof batch>>) => {
      const bytes = new Uint8Array(b.encoded.reduce((n, e) => n + e.sealed.length, 0));
      const blobs = [];
      let at = 0;
      for (const [i, e] of b.encoded.entries()) {
        bytes.set(e.sealed, at);
        const rawLength = b.plains[i]!.length;
        blobs.push({
          type: 'data' as const,
          id: b.ids[i]!,
          offset: at,
          length: e.sealed.length,
          codec: e.codec,
          rawLength,
        });
        at += e.sealed.length;
      }
      const plains = await decoder.open({ bytes, blobs, where: 'test' });
      expect(plains.map((p) => Buffer.from(p).toString('hex'))).toEqual(
        b.plains.map((p) => Buffer.from(p).toString('hex')),
      );
    };

    const first = await batch(1);
    await opens(first);
    const answer = first.encoded[0]!.sealed.buffer;
    expect(first.encoded.every((e) => e.sealed.buffer === answer)).toBe(true);
    expect(first.encoded.every((e) => typeof e.release === 'function')).toBe(true);
    // Three of four released: the buffer stays here, untouched by the next batch.
    for (const e of first.encoded.slice(0, 3)) e.release!();
    const second = await batch(3);
    await opens(second);
    expect(answer.byteLength).toBeGreaterThan(0);
    // The last release (twice: the second does nothing) frees it; the next batch takes it along.
    first.encoded[3]!.release!();
    first.encoded[3]!.release!();
    const third = await batch(5);
    await opens(third);
    expect(answer.byteLength).toBe(0); // moved to the thread, sealed into again
    expect(second.encoded[0]!.sealed.buffer.byteLength).toBeGreaterThan(0); // never released: kept
    await opens(second); // and still intact
    await encoder.close();
  });
});
