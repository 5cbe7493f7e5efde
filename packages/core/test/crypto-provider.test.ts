import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { portableCrypto } from '../src/crypto/portable';
import { KluisError } from '../src/errors';
import { nativeCrypto } from '../src/node/crypto';

const key = new Uint8Array(32).fill(7);
const nonce = new Uint8Array(24).fill(9);
const empty = new Uint8Array(0);

describe.each([portableCrypto, nativeCrypto])('$name provider contract', (crypto) => {
  it('returns plain Uint8Arrays, never Buffers', async () => {
    const outputs = [
      crypto.randomBytes(8),
      crypto.sha256(empty),
      crypto.hmacSha256(key, empty),
      crypto.hkdfSha256(key, empty, 'x', 32),
      await crypto.scrypt(empty, empty, { N: 16, r: 1, p: 1 }),
      crypto.xchachaSeal(key, nonce, empty, empty),
      crypto.xchachaSealBox(key, nonce, new Uint8Array(3), empty),
      crypto.xchachaOpen(key, nonce, crypto.xchachaSeal(key, nonce, new Uint8Array(5), empty), empty),
    ];
    for (const out of outputs) expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype);
  });

  it('randomBytes gives the asked length, including 0 and more than the 64 KiB getRandomValues quota', () => {
    expect(crypto.randomBytes(0).length).toBe(0);
    const big = crypto.randomBytes(200_000);
    expect(big.length).toBe(200_000);
    expect(big.subarray(150_000).some((b) => b !== 0)).toBe(true);
    expect(() => crypto.randomBytes(-1)).toThrow(RangeError);
    expect(() => crypto.randomBytes(1.5)).toThrow(TypeError);
  });

  it('scrypt defaults to a 32-byte key and validates its parameters', async () => {
    expect((await crypto.scrypt(empty, empty, { N: 16, r: 1, p: 1 })).length).toBe(32);
    await expect(crypto.scrypt(empty, empty, { N: 1000, r: 1, p: 1 })).rejects.toThrow(
      /params.N must be a power of two/,
    );
    await expect(crypto.scrypt(empty, empty, { N: 2 ** 23, r: 1, p: 1 })).rejects.toThrow(RangeError);
    await expect(crypto.scrypt(empty, empty, { N: 16, r: 33, p: 1 })).rejects.toThrow(/params.r/);
    await expect(crypto.scrypt(empty, empty, { N: 16, r: 1, p: 17 })).rejects.toThrow(/params.p/);
    await expect(crypto.scrypt('pw' as unknown as Uint8Array, empty, { N: 16, r: 1, p: 1 })).rejects.toThrow(
      /password must be a Uint8Array/,
    );
  });

  it('scrypt lets other callbacks run while it works (it does not block the event loop)', async () => {
    let done = false;
    let turns = 0;
    const spin = () => {
      if (done) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    // 16 MiB of memory-hard work: many event-loop turns long on any machine.
    await crypto.scrypt(new Uint8Array(8), new Uint8Array(16), { N: 2 ** 14, r: 8, p: 1 });
    done = true;
    expect(turns).toBeGreaterThan(1);
  });

  it('names the bad argument of every AEAD call', () => {
    expect(() => crypto.xchachaSeal(new Uint8Array(31), nonce, empty, empty)).toThrow(
      new RangeError('xchachaSeal: key must be 32 bytes, got 31'),
    );
    expect(() => crypto.xchachaSeal(key, new Uint8Array(12), empty, empty)).toThrow(
      new RangeError('xchachaSeal: nonce must be 24 bytes, got 12'),
    );
    expect(() => crypto.xchachaSeal(key, nonce, 'text' as unknown as Uint8Array, empty)).toThrow(
      new TypeError('xchachaSeal: plaintext must be a Uint8Array, got string'),
    );
    expect(() => crypto.xchachaOpen(key, nonce, empty, null as unknown as Uint8Array)).toThrow(
      new TypeError('xchachaOpen: aad must be a Uint8Array, got null'),
    );
    expect(() => crypto.xchachaSealInto(key, nonce, new Uint8Array(4), empty, new Uint8Array(4))).toThrow(
      new RangeError('xchachaSealInto: output must be 20 bytes, got 4'),
    );
  });

  it('opening fewer bytes than a tag, or a wrong tag, is INTEGRITY', () => {
    for (const sealed of [new Uint8Array(15), new Uint8Array(16), new Uint8Array(40)]) {
      let error: unknown;
      try {
        crypto.xchachaOpen(key, nonce, sealed, empty);
      } catch (e) {
        error = e;
      }
      expect(KluisError.is(error, 'INTEGRITY')).toBe(true);
    }
  });

  it('HKDF accepts a string info as UTF-8 and rejects more than 255 blocks', () => {
    const utf8 = new TextEncoder().encode('kluis/ü');
    expect(crypto.hkdfSha256(key, empty, 'kluis/ü', 32)).toEqual(crypto.hkdfSha256(key, empty, utf8, 32));
    expect(crypto.hkdfSha256(key, empty, '', 8160).length).toBe(8160);
    expect(() => crypto.hkdfSha256(key, empty, '', 8161)).toThrow(RangeError);
    expect(() => crypto.hkdfSha256(key, empty, '', 0)).toThrow(RangeError);
  });

  it('accepts a Uint8Array from another realm', () => {
    const foreign = runInNewContext('new Uint8Array([1, 2, 3])') as Uint8Array;
    expect(foreign instanceof Uint8Array).toBe(false);
    expect(crypto.sha256(foreign)).toEqual(crypto.sha256(new Uint8Array([1, 2, 3])));
    const sealed = crypto.xchachaSeal(key, nonce, foreign, empty);
    expect(crypto.xchachaOpen(key, nonce, sealed, empty)).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('hashes views (subarrays of a larger buffer) by their own bytes only', () => {
    const backing = new Uint8Array([1, 2, 3, 4, 5, 6]);
    expect(crypto.sha256(backing.subarray(2, 4))).toEqual(crypto.sha256(new Uint8Array([3, 4])));
    expect(crypto.hmacSha256(backing.subarray(0, 2), backing.subarray(4))).toEqual(
      crypto.hmacSha256(new Uint8Array([1, 2]), new Uint8Array([5, 6])),
    );
  });
});

describe('native provider output ownership', () => {
  it('an opened plaintext does not alias or expose other memory', () => {
    const sealed = nativeCrypto.xchachaSeal(key, nonce, new Uint8Array([1, 2, 3]), empty);
    const opened = nativeCrypto.xchachaOpen(key, nonce, sealed, empty);
    expect(opened.buffer.byteLength).toBe(3);
    const digest = nativeCrypto.sha256(empty);
    expect(digest.buffer.byteLength).toBe(32);
    expect(nativeCrypto.xchachaSeal(key, nonce, new Uint8Array(5), empty).buffer.byteLength).toBe(21);
    expect(nativeCrypto.xchachaSealBox(key, nonce, new Uint8Array(5), empty).buffer.byteLength).toBe(45);
  });
});

describe('native provider on inputs larger than its 256 KiB update slices', () => {
  it.each([256 * 1024 - 1, 256 * 1024, 256 * 1024 + 1, 640 * 1024 + 7])(
    '%i bytes match noble and open back',
    (n) => {
      const plaintext = nativeCrypto.randomBytes(n);
      const aad = new Uint8Array([1, 2, 3]);
      const sealed = nativeCrypto.xchachaSeal(key, nonce, plaintext, aad);
      expect(same(sealed, portableCrypto.xchachaSeal(key, nonce, plaintext, aad))).toBe(true);
      expect(same(nativeCrypto.xchachaOpen(key, nonce, sealed, aad), plaintext)).toBe(true);
      sealed[n - 1]! ^= 1;
      expect(() => nativeCrypto.xchachaOpen(key, nonce, sealed, aad)).toThrow(/authentication failed/);
    },
  );
});

/** Byte equality without the element-by-element deep compare (slow on large arrays). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
