import { describe, expect, it } from 'vitest';
import { portableCrypto } from '../src/crypto/index';
import { nativeCrypto } from '../src/node/index';

describe('randomBytes', () => {
  it('never hands out the same pooled bytes twice, across refills and mixed sizes', () => {
    for (const provider of [portableCrypto, nativeCrypto]) {
      const seen = new Set<string>();
      for (let i = 0; i < 5000; i++) {
        const n = provider.randomBytes(24);
        expect(n.length).toBe(24);
        seen.add(Buffer.from(n).toString('hex'));
        if (i % 97 === 0) expect(provider.randomBytes(300).length).toBe(300); // beyond the pool
        if (i % 13 === 0) expect(provider.randomBytes(0).length).toBe(0);
      }
      expect(seen.size).toBe(5000);
    }
  });

  it('returns independent arrays (mutating one changes no later result)', () => {
    const a = nativeCrypto.randomBytes(16);
    a.fill(0);
    const b = nativeCrypto.randomBytes(16);
    expect(b.some((x) => x !== 0)).toBe(true);
  });
});
