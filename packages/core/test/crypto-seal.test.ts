import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/crypto/hex';
import { portableCrypto } from '../src/crypto/portable';
import { open, SEAL_OVERHEAD, seal, sealWithNonce } from '../src/crypto/seal';
import { blobId, deriveSubkeys, SUBKEY_INFO, SUBKEY_SALT } from '../src/crypto/subkeys';
import { IntegrityError, KluisError } from '../src/errors';
import { nativeCrypto } from '../src/node/crypto';
import vectors from './vectors/kluis-crypto.json' with { type: 'json' };

const empty = new Uint8Array(0);

describe.each([portableCrypto, nativeCrypto])('$name: kluis constructions', (crypto) => {
  it('deriveSubkeys matches the fixed vector', () => {
    const v = vectors.subkeys;
    const keys = deriveSubkeys(crypto, fromHex(v.master));
    expect({ encryption: toHex(keys.encryption), id: toHex(keys.id), chunker: toHex(keys.chunker) }).toEqual({
      encryption: v.encryption,
      id: v.id,
      chunker: v.chunker,
    });
    expect(toHex(crypto.hkdfSha256(fromHex(v.master), SUBKEY_SALT, SUBKEY_INFO.id, 32))).toBe(v.id);
  });

  it('blobId matches the fixed vector', () => {
    const v = vectors.blobId;
    expect(toHex(blobId(crypto, fromHex(v.idKey), fromHex(v.plaintext)))).toBe(v.id);
  });

  it('sealWithNonce matches the fixed vector and open reverses it', () => {
    const v = vectors.seal;
    const sealed = sealWithNonce(
      crypto,
      fromHex(v.key),
      fromHex(v.nonce),
      fromHex(v.plaintext),
      fromHex(v.aad),
    );
    expect(toHex(sealed)).toBe(v.sealed);
    expect(toHex(open(crypto, fromHex(v.key), sealed, fromHex(v.aad)))).toBe(v.plaintext);
  });

  it('seal draws a fresh nonce each time', () => {
    const key = crypto.randomBytes(32);
    const a = seal(crypto, key, empty, empty);
    const b = seal(crypto, key, empty, empty);
    expect(a.length).toBe(SEAL_OVERHEAD);
    expect(toHex(a.subarray(0, 24))).not.toBe(toHex(b.subarray(0, 24)));
  });

  it('open refuses fewer than SEAL_OVERHEAD bytes with INTEGRITY, naming the context', () => {
    const key = crypto.randomBytes(32);
    const error = captured(() => open(crypto, key, new Uint8Array(39), empty, 'index/ab12'));
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error).toMatchObject({ code: 'INTEGRITY', key: 'index/ab12', expected: 'at least 40 bytes' });
  });

  it('a failed tag names the context when given', () => {
    const key = crypto.randomBytes(32);
    const sealed = seal(crypto, key, new Uint8Array([1, 2, 3]), empty);
    sealed[sealed.length - 1]! ^= 0x80;
    const withContext = captured(() => open(crypto, key, sealed, empty, 'snapshots/ff00'));
    expect(KluisError.is(withContext, 'INTEGRITY')).toBe(true);
    expect((withContext as IntegrityError).key).toBe('snapshots/ff00');
    expect((withContext as Error).message).toMatch(/authentication failed.*\(in snapshots\/ff00\)/);
    expect(
      KluisError.is(
        captured(() => open(crypto, key, sealed, empty)),
        'INTEGRITY',
      ),
    ).toBe(true);
  });

  it('checks argument lengths with errors naming the argument', () => {
    expect(() => deriveSubkeys(crypto, new Uint8Array(31))).toThrow(
      new RangeError('deriveSubkeys: master must be 32 to 64 bytes, got 31'),
    );
    expect(() => deriveSubkeys(crypto, new Uint8Array(65))).toThrow(RangeError);
    expect(() => blobId(crypto, new Uint8Array(16), empty)).toThrow(
      new RangeError('blobId: idKey must be 32 bytes, got 16'),
    );
    expect(() => sealWithNonce(crypto, new Uint8Array(32), new Uint8Array(23), empty, empty)).toThrow(
      new RangeError('sealWithNonce: nonce must be 24 bytes, got 23'),
    );
    expect(() => open(crypto, new Uint8Array(33), new Uint8Array(40), empty)).toThrow(
      new RangeError('open: key must be 32 bytes, got 33'),
    );
  });
});

describe('hex helpers', () => {
  it('round-trips and validates', () => {
    expect(toHex(new Uint8Array([0, 171, 255]))).toBe('00abff');
    expect(fromHex('00abFF')).toEqual(new Uint8Array([0, 171, 255]));
    expect(fromHex('')).toEqual(new Uint8Array(0));
    expect(() => fromHex('abc')).toThrow(new RangeError('fromHex: odd number of hex digits (3)'));
    expect(() => fromHex('0g')).toThrow(new RangeError('fromHex: invalid hex character "g" at position 1'));
    expect(() => fromHex(' 0')).toThrow(RangeError);
    expect(() => fromHex('00ab', 32)).toThrow(
      new RangeError('fromHex: expected 32 bytes (64 hex digits), got 2'),
    );
    expect(() => fromHex(12 as unknown as string)).toThrow(TypeError);
    expect(() => toHex([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
  });
});

function captured(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}
