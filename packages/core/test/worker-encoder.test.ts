import { describe, expect, it } from 'vitest';
import { backup, check, initRepository, memoryTransport, openRepository, restore } from '../src/index';
import { nativeCrypto, nodeDeflateRaw, workerBlobEncoder } from '../src/node/index';
import { type MemTree, memSource, memTarget, prng } from './helpers/trees';

const text = (s: string) => new TextEncoder().encode(s);

/** A fresh in-memory repository encoding on `threads` worker threads. */
function workerRepo(threads: number) {
  return initRepository(memoryTransport(), {
    password: 'pw',
    scrypt: { N: 1024, r: 8, p: 1 },
    crypto: nativeCrypto,
    codec: nodeDeflateRaw,
    encoder: workerBlobEncoder({ threads }),
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
      encoder: workerBlobEncoder({ threads: 2 }),
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
});
