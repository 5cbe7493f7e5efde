import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/crypto/hex';
import {
  createKeySlot,
  DEFAULT_SCRYPT_PARAMS,
  type KeySlot,
  keySlotId,
  openKeySlot,
  parseKeySlot,
  rewrapKeySlot,
  serializeKeySlot,
} from '../src/crypto/key-slot';
import { portableCrypto } from '../src/crypto/portable';
import type { CryptoProvider, ScryptParams } from '../src/crypto/provider';
import { KluisError, ValidationError } from '../src/errors';
import { nativeCrypto } from '../src/node/crypto';
import vectors from './vectors/kluis-crypto.json' with { type: 'json' };

const small = { N: 2 ** 10, r: 8, p: 1 };
const v = vectors.keySlot;

/** A provider whose randomBytes returns the given byte strings in order (for exact vectors). */
function scripted(base: CryptoProvider, ...randoms: Uint8Array[]): CryptoProvider {
  return { ...base, randomBytes: () => randoms.shift()! };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe.each([portableCrypto, nativeCrypto])('$name key slots', (crypto) => {
  it('creates exactly the vector slot from fixed salt, nonce, params and time', async () => {
    const slot = await createKeySlot(
      scripted(crypto, fromHex(v.salt), fromHex(v.nonce)),
      fromHex(v.master),
      v.password,
      {
        params: { N: v.N, r: v.r, p: v.p },
        label: v.label,
        created: new Date(v.created),
      },
    );
    expect(new TextDecoder().decode(serializeKeySlot(slot))).toBe(v.json);
  });

  it('opens the vector slot with the password in NFC or NFD form', async () => {
    const slot = parseKeySlot(v.json);
    expect(toHex(await openKeySlot(crypto, slot, v.password))).toBe(v.master);
    expect(toHex(await openKeySlot(crypto, slot, v.password.normalize('NFD')))).toBe(v.master);
  });

  it('a wrong password is WRONG_PASSWORD, never INTEGRITY, and names the slot', async () => {
    const error = await rejection(openKeySlot(crypto, parseKeySlot(v.json), 'Åsa-passwörd!'));
    expect(KluisError.is(error, 'WRONG_PASSWORD')).toBe(true);
    expect((error as Error).message).toContain('"vector"');
  });

  it('rewraps the same master under a new password, keeping metadata and cost', async () => {
    const master = crypto.randomBytes(32);
    const slot = await createKeySlot(crypto, master, 'old', {
      params: small,
      label: 'laptop',
      host: 'h',
      username: 'u',
    });
    const next = await rewrapKeySlot(crypto, slot, 'old', 'new');
    expect(next).toMatchObject({ N: small.N, r: 8, p: 1, label: 'laptop', host: 'h', username: 'u' });
    expect(next.salt).not.toBe(slot.salt);
    expect(await openKeySlot(crypto, next, 'new')).toEqual(master);
    expect(KluisError.is(await rejection(openKeySlot(crypto, next, 'old')), 'WRONG_PASSWORD')).toBe(true);
    expect(KluisError.is(await rejection(rewrapKeySlot(crypto, slot, 'wrong', 'x')), 'WRONG_PASSWORD')).toBe(
      true,
    );
    const relabelled = await rewrapKeySlot(crypto, slot, 'old', 'new', {
      label: 'desktop',
      params: { N: 2 ** 11, r: 8, p: 1 },
    });
    expect(relabelled).toMatchObject({ label: 'desktop', N: 2 ** 11 });
  });

  it('keeps a 64-byte master', async () => {
    const master = crypto.randomBytes(64);
    expect(
      await openKeySlot(crypto, await createKeySlot(crypto, master, 'pw', { params: small }), 'pw'),
    ).toEqual(master);
  });
});

describe('key slot creation arguments', () => {
  const master = new Uint8Array(32);
  it('are checked with TypeError / RangeError', async () => {
    await expect(createKeySlot(nativeCrypto, new Uint8Array(16), 'pw')).rejects.toThrow(
      new RangeError('createKeySlot: master must be 32 to 64 bytes, got 16'),
    );
    await expect(createKeySlot(nativeCrypto, master, '')).rejects.toThrow(/password must not be empty/);
    await expect(createKeySlot(nativeCrypto, master, 42 as unknown as string)).rejects.toThrow(TypeError);
    await expect(createKeySlot(nativeCrypto, master, 'pw', { params: { N: 3, r: 8, p: 1 } })).rejects.toThrow(
      /params.N must be a power of two/,
    );
    await expect(
      createKeySlot(nativeCrypto, master, 'pw', { params: small, created: new Date('x') }),
    ).rejects.toThrow(/options.created/);
    await expect(
      createKeySlot(nativeCrypto, master, 'pw', { params: small, label: 'x'.repeat(257) }),
    ).rejects.toThrow(ValidationError);
  });

  it('default to 2^17 scrypt with a 32-byte salt, and record the time', async () => {
    expect(DEFAULT_SCRYPT_PARAMS).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    const calls: { password: Uint8Array; salt: Uint8Array; params: ScryptParams }[] = [];
    const spy: CryptoProvider = {
      ...nativeCrypto,
      scrypt: async (password, salt, params) => {
        calls.push({ password, salt, params });
        return new Uint8Array(32).fill(1);
      },
    };
    const slot = await createKeySlot(spy, master, 'pw');
    expect(slot).toMatchObject({ version: 1, kdf: 'scrypt', N: 2 ** 17, r: 8, p: 1 });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.params).toEqual({ N: 2 ** 17, r: 8, p: 1, dkLen: 32 });
    expect(calls[0]!.salt.length).toBe(32);
    expect(new TextDecoder().decode(calls[0]!.password)).toBe('pw');
    expect(Number.isNaN(Date.parse(slot.created))).toBe(false);
  });
});

describe('key slot parsing and serialisation', () => {
  const good = JSON.parse(v.json) as KeySlot;
  const issuesOf = (value: unknown) => {
    try {
      parseKeySlot(JSON.stringify(value));
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect(KluisError.is(e, 'INVALID_DATA')).toBe(true);
      return (e as ValidationError).issues.map((i) => i.path.join('.'));
    }
    throw new Error('expected a ValidationError');
  };

  it('refuses malformed slots, naming the field', () => {
    expect(issuesOf({ ...good, N: 1000 })).toEqual(['N']);
    expect(issuesOf({ ...good, N: 2 ** 23 })).toEqual(['N']);
    expect(issuesOf({ ...good, r: 33 })).toEqual(['r']);
    expect(issuesOf({ ...good, p: 17 })).toEqual(['p']);
    expect(issuesOf({ ...good, p: 1.5 })).toEqual(['p']);
    expect(issuesOf({ ...good, salt: 'AAAA' })).toEqual(['salt']);
    expect(issuesOf({ ...good, salt: `${good.salt.slice(0, -2)}?=` })).toEqual(['salt']);
    expect(issuesOf({ ...good, data: good.data.slice(8) })).toEqual(['data']);
    expect(issuesOf({ ...good, created: 'yesterday' })).toEqual(['created']);
    expect(issuesOf({ ...good, kdf: 'argon2id' })).toEqual(['kdf']);
    expect(issuesOf({ ...good, extra: true })).toEqual(['']);
    const { data: _, ...missing } = good;
    expect(issuesOf(missing)).toEqual(['data']);
    expect(issuesOf([good])).toEqual(['']);
  });

  it('refuses bytes that are not UTF-8 JSON', () => {
    expect(() => parseKeySlot(new Uint8Array([0xff, 0xfe]))).toThrow(ValidationError);
    expect(() => parseKeySlot('{"version":1,')).toThrow(ValidationError);
  });

  it('says UNSUPPORTED_VERSION for another format version', () => {
    let error: unknown;
    try {
      parseKeySlot(JSON.stringify({ ...good, version: 2 }));
    } catch (e) {
      error = e;
    }
    expect(KluisError.is(error, 'UNSUPPORTED_VERSION')).toBe(true);
  });

  it('serialises canonically whatever the input layout', () => {
    const pretty = JSON.stringify(Object.fromEntries(Object.entries(good).reverse()), null, 2);
    expect(new TextDecoder().decode(serializeKeySlot(parseKeySlot(pretty)))).toBe(v.json);
    expect(parseKeySlot(serializeKeySlot(good))).toEqual(good);
    expect(keySlotId(nativeCrypto, good)).toBe(toHex(nativeCrypto.sha256(new TextEncoder().encode(v.json))));
  });

  it('refuses to run scrypt for a slot above the memory limit', async () => {
    const greedy = { ...good, N: 2 ** 22, r: 32 };
    const error = await rejection(openKeySlot(nativeCrypto, greedy, 'pw'));
    expect(KluisError.is(error, 'INVALID_DATA')).toBe(true);
    expect((error as Error).message).toMatch(/scrypt memory.*raise maxMemoryBytes/);
    const limited = await rejection(openKeySlot(nativeCrypto, good, v.password, { maxMemoryBytes: 1024 }));
    expect(KluisError.is(limited, 'INVALID_DATA')).toBe(true);
  });

  it('validates a slot object passed to openKeySlot too', async () => {
    const error = await rejection(openKeySlot(nativeCrypto, { ...good, N: 7 }, v.password));
    expect(error).toBeInstanceOf(ValidationError);
  });
});
