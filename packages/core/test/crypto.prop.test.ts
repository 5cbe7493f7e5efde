import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../src/crypto/base64';
import { fromHex, toHex } from '../src/crypto/hex';
import { portableCrypto } from '../src/crypto/portable';
import { open, SEAL_OVERHEAD, seal } from '../src/crypto/seal';
import { blobId, deriveSubkeys } from '../src/crypto/subkeys';
import { KluisError } from '../src/errors';
import { nativeCrypto } from '../src/node/crypto';

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const key = bytes(32, 32);
const nonce = bytes(24, 24);
// Empty inputs are drawn often on purpose: they are the edge case most likely to differ.
const plaintext = fc.oneof(bytes(0, 0), bytes(0, 300), bytes(1000, 5000));
const aad = fc.oneof(bytes(0, 0), bytes(0, 64));

function integrityError(run: () => unknown): boolean {
  try {
    run();
  } catch (e) {
    return KluisError.is(e, 'INTEGRITY');
  }
  return false;
}

describe('native and portable XChaCha20-Poly1305 are byte-identical', () => {
  it('native seal equals @noble/ciphers xchacha20poly1305 and both providers', () => {
    fc.assert(
      fc.property(key, nonce, plaintext, aad, (k, n, pt, ad) => {
        const native = nativeCrypto.xchachaSeal(k, n, pt, ad);
        expect(native).toEqual(xchacha20poly1305(k, n, ad).encrypt(pt));
        expect(native).toEqual(portableCrypto.xchachaSeal(k, n, pt, ad));
        const box = nativeCrypto.xchachaSealBox(k, n, pt, ad);
        expect(box.subarray(0, 24)).toEqual(n);
        expect(box.subarray(24)).toEqual(native);
        expect(box).toEqual(portableCrypto.xchachaSealBox(k, n, pt, ad));
      }),
    );
  });

  it('seal with one provider, open with the other', () => {
    fc.assert(
      fc.property(key, plaintext, aad, (k, pt, ad) => {
        expect(open(portableCrypto, k, seal(nativeCrypto, k, pt, ad), ad)).toEqual(pt);
        expect(open(nativeCrypto, k, seal(portableCrypto, k, pt, ad), ad)).toEqual(pt);
      }),
    );
  });

  it('subkeys and blob IDs agree across providers', () => {
    fc.assert(
      fc.property(bytes(32, 64), plaintext, (master, pt) => {
        const a = deriveSubkeys(nativeCrypto, master);
        expect(deriveSubkeys(portableCrypto, master)).toEqual(a);
        expect(blobId(portableCrypto, a.id, pt)).toEqual(blobId(nativeCrypto, a.id, pt));
      }),
    );
  });
});

describe.each([portableCrypto, nativeCrypto])('$name seal/open', (crypto) => {
  it('open(seal(x)) = x, with exactly SEAL_OVERHEAD extra bytes', () => {
    fc.assert(
      fc.property(key, plaintext, aad, (k, pt, ad) => {
        const sealed = seal(crypto, k, pt, ad);
        expect(sealed.length).toBe(pt.length + SEAL_OVERHEAD);
        expect(open(crypto, k, sealed, ad)).toEqual(pt);
      }),
    );
  });

  it('any single flipped bit in nonce, ciphertext or tag is INTEGRITY', () => {
    const input = fc
      .tuple(key, plaintext, aad)
      .chain(([k, pt, ad]) =>
        fc.tuple(fc.constant([k, pt, ad] as const), fc.nat(8 * (pt.length + SEAL_OVERHEAD) - 1)),
      );
    fc.assert(
      fc.property(input, ([[k, pt, ad], bit]) => {
        const sealed = seal(crypto, k, pt, ad);
        sealed[bit >> 3]! ^= 1 << (bit & 7);
        expect(integrityError(() => open(crypto, k, sealed, ad))).toBe(true);
      }),
    );
  });

  it('any single flipped bit in the associated data is INTEGRITY', () => {
    const input = fc
      .tuple(key, plaintext, bytes(1, 64))
      .chain(([k, pt, ad]) => fc.tuple(fc.constant([k, pt, ad] as const), fc.nat(8 * ad.length - 1)));
    fc.assert(
      fc.property(input, ([[k, pt, ad], bit]) => {
        const sealed = seal(crypto, k, pt, ad);
        const altered = Uint8Array.from(ad);
        altered[bit >> 3]! ^= 1 << (bit & 7);
        expect(integrityError(() => open(crypto, k, sealed, altered))).toBe(true);
      }),
    );
  });

  it('a truncated or extended box, or another key, is INTEGRITY', () => {
    fc.assert(
      fc.property(key, key, plaintext, fc.integer({ min: -45, max: 3 }), (k, other, pt, delta) => {
        fc.pre(delta !== 0 || toHex(k) !== toHex(other));
        const sealed = seal(crypto, k, pt, new Uint8Array(0));
        const changed = delta === 0 ? sealed : new Uint8Array(Math.max(0, sealed.length + delta));
        if (delta < 0) changed.set(sealed.subarray(0, changed.length));
        if (delta > 0) changed.set(sealed);
        expect(integrityError(() => open(crypto, delta === 0 ? other : k, changed, new Uint8Array(0)))).toBe(
          true,
        );
      }),
    );
  });
});

describe('encodings', () => {
  it('fromHex(toHex(x)) = x, and toHex matches Node', () => {
    fc.assert(
      fc.property(bytes(0, 100), (b) => {
        expect(toHex(b)).toBe(Buffer.from(b).toString('hex'));
        expect(fromHex(toHex(b))).toEqual(b);
        expect(fromHex(toHex(b).toUpperCase())).toEqual(b);
      }),
    );
  });

  it('base64 matches Node and decodes only canonical text', () => {
    fc.assert(
      fc.property(bytes(0, 100), (b) => {
        const text = encodeBase64(b);
        expect(text).toBe(Buffer.from(b).toString('base64'));
        expect(decodeBase64(text)).toEqual(b);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (s) => {
        const decoded = decodeBase64(s);
        if (decoded !== undefined) expect(encodeBase64(decoded)).toBe(s);
      }),
    );
  });
});

describe('sha256Stream', () => {
  it('native and portable digests of pieces equal sha256 of the pieces joined', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(bytes(0, 0), bytes(0, 200), bytes(1000, 70_000)), { maxLength: 8 }),
        (parts) => {
          const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
          let at = 0;
          for (const p of parts) {
            joined.set(p, at);
            at += p.length;
          }
          const want = portableCrypto.sha256(joined);
          for (const provider of [nativeCrypto, portableCrypto]) {
            const h = provider.sha256Stream!();
            for (const p of parts) h.update(p);
            const got = h.digest();
            expect(toHex(got)).toBe(toHex(want));
            expect(got.constructor).toBe(Uint8Array);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a piece that is not bytes', () => {
    for (const provider of [nativeCrypto, portableCrypto])
      expect(() => provider.sha256Stream!().update('abc' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
