// initRepository hands back the repository open (the key is derived once, at creation), ready to
// back up, restore and check, and nodeRepositoryOptions is the Node wiring in one call.
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../src/crypto/index';
import { backup, check, initRepository, memoryTransport, openRepository, restore } from '../src/index';
import { nativeCrypto, nodeCodec, nodeRepositoryOptions } from '../src/node/index';
import { type MemTree, memSource, memTarget, prng } from './helpers/trees';

const SCRYPT = { N: 1024, r: 8, p: 1 };

/** nativeCrypto, counting key derivations. */
function counting(): { crypto: CryptoProvider; derivations: () => number } {
  let n = 0;
  const crypto: CryptoProvider = {
    ...nativeCrypto,
    scrypt(password, salt, params) {
      n++;
      return nativeCrypto.scrypt(password, salt, params);
    },
  };
  return { crypto, derivations: () => n };
}

// Under 2 MiB: the preset's worker threads stay unstarted (worker-encoder.test.ts and
// worker-decoder.test.ts run them), so this test is about the repository init hands back.
const tree: MemTree = {
  'big.bin': prng(600_000, 7),
  docs: { 'a.txt': new TextEncoder().encode('alpha'), 'b.bin': prng(70_000, 8) },
};

describe('initRepository returns the repository open', () => {
  it('backs up, restores and checks with the returned repository, deriving the key once', {
    timeout: 180_000,
  }, async () => {
    const transport = memoryTransport();
    const { crypto, derivations } = counting();
    const repo = await initRepository(transport, {
      password: 'pw',
      scrypt: SCRYPT,
      ...nodeRepositoryOptions({ threads: 2 }),
      crypto,
    });
    try {
      const keys = await repo.listKeys();
      expect(keys.map((k) => k.id)).toEqual([repo.keyId]);
      const { id } = await backup(repo, memSource(tree));
      const { target, root } = memTarget();
      const restored = await restore(repo, id, target, { verify: true });
      expect(restored.files).toBe(3);
      expect(root).toEqual(tree);
      const report = await check(repo, { readData: true });
      expect(report.problems).toEqual([]);
      expect(derivations()).toBe(1);
    } finally {
      await repo.close();
    }
    // A later run opens it as usual, and derives the key again (once).
    const again = await openRepository(transport, {
      password: 'pw',
      ...nodeRepositoryOptions({ threads: 0 }),
      crypto,
    });
    expect((await again.snapshots.list()).length).toBe(1);
    expect(derivations()).toBe(2);
    await again.close();
  });
});

describe('nodeRepositoryOptions', () => {
  it('wires node:crypto, the Node codec and worker threads; threads: 0 keeps the work inline', () => {
    const preset = nodeRepositoryOptions({ threads: 3 });
    expect(preset.crypto).toBe(nativeCrypto);
    expect(preset.codec).toBe(nodeCodec);
    expect(typeof preset.encoder).toBe('function');
    expect(typeof preset.decoder).toBe('function');
    expect(nodeRepositoryOptions({ threads: 0 })).toEqual({ crypto: nativeCrypto, codec: nodeCodec });
    expect(Object.keys(nodeRepositoryOptions())).toEqual(['crypto', 'codec', 'encoder', 'decoder']);
  });

  it('refuses a thread count that is not a whole number ≥ 0', () => {
    for (const threads of [-1, 1.5, Number.NaN])
      expect(() => nodeRepositoryOptions({ threads })).toThrow(RangeError);
  });
});
