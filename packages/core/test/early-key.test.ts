// The early key derivation (`@kluis/core/node/early-key`): it derives what opening derives, it is
// used only for the very same inputs, and nothing it reads is trusted.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeySlot, serializeKeySlot } from '../src/crypto/key-slot';
import { readKeySlotKdf } from '../src/crypto/key-slot-kdf';
import type { CryptoProvider, ScryptParams } from '../src/crypto/provider';
import { initRepository, openRepository } from '../src/index';
import { nativeCrypto } from '../src/node/crypto';
import { startEarlyKey, withEarlyKey } from '../src/node/early-key';
import { localTransport } from '../src/node/local-transport';

const params = { N: 2 ** 10, r: 1, p: 1 };
let dir: string;
let repo: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-early-key-'));
  repo = join(dir, 'repo');
  const r = await initRepository(localTransport({ root: repo }), {
    password: 'first',
    crypto: nativeCrypto,
    scrypt: params,
  });
  await new Promise((ok) => setTimeout(ok, 5)); // a later `created` for the second slot
  await r.addKey('second', { scrypt: { N: 2 ** 11, r: 1, p: 1 } });
  await r.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The native provider, counting its scrypt calls. */
function counting(): CryptoProvider & { calls: ScryptParams[] } {
  const calls: ScryptParams[] = [];
  return {
    ...nativeCrypto,
    calls,
    scrypt(password: Uint8Array, salt: Uint8Array, p: ScryptParams) {
      calls.push(p);
      return nativeCrypto.scrypt(password, salt, p);
    },
  };
}

describe('startEarlyKey', () => {
  it('derives the oldest slot, and opening takes that key instead of deriving it again', async () => {
    const early = startEarlyKey(repo, 'first')!;
    expect(early.params).toEqual(params);
    const expected = await nativeCrypto.scrypt(early.password, early.salt, { ...params, dkLen: 32 });
    expect(Buffer.from(await early.key).equals(Buffer.from(expected))).toBe(true);
    const provider = counting();
    const r = await openRepository(localTransport({ root: repo }), {
      password: 'first',
      crypto: withEarlyKey(provider, startEarlyKey(repo, 'first')),
    });
    expect(provider.calls).toEqual([]);
    await r.close();
  });

  it('is not used for another password, another slot, or twice; opening still works', async () => {
    const early = startEarlyKey(repo, 'first')!;
    const provider = counting();
    const crypto = withEarlyKey(provider, early);
    // The password of the newer slot: the oldest slot's derivation does not match it.
    const second = await openRepository(localTransport({ root: repo }), { password: 'second', crypto });
    expect(provider.calls.length).toBeGreaterThanOrEqual(2);
    await second.close();
    // A wrong password derives its own key and is refused.
    const wrong = startEarlyKey(repo, 'wrong');
    await expect(
      openRepository(localTransport({ root: repo }), {
        password: 'wrong',
        crypto: withEarlyKey(nativeCrypto, wrong),
      }),
    ).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    // Spent once: the key is the opener's to zero.
    const once = startEarlyKey(repo, 'first')!;
    const p2 = counting();
    const c2 = withEarlyKey(p2, once);
    await (await openRepository(localTransport({ root: repo }), { password: 'first', crypto: c2 })).close();
    await (await openRepository(localTransport({ root: repo }), { password: 'first', crypto: c2 })).close();
    expect(p2.calls).toHaveLength(1);
  });

  it('starts nothing without a repository, without a password, or for a costly slot', async () => {
    expect(startEarlyKey(join(dir, 'none'), 'first')).toBeUndefined();
    expect(startEarlyKey(repo, '')).toBeUndefined();
    expect(startEarlyKey(repo, 'first', { maxMemory: 1024 })).toBeUndefined();
  });

  it('skips files in keys/ that are not slots, and finds the slot among them', async () => {
    const other = join(dir, 'junk');
    await initRepository(localTransport({ root: other }), {
      password: 'pw',
      crypto: nativeCrypto,
      scrypt: params,
    });
    const keys = join(other, 'keys');
    await writeFile(join(keys, 'not-json'), 'garbage{');
    await writeFile(
      join(keys, 'other-kdf'),
      JSON.stringify({ kdf: 'argon2', created: '1970', salt: 'AA==' }),
    );
    await writeFile(
      join(keys, 'huge-n'),
      JSON.stringify({ kdf: 'scrypt', created: '1970', salt: 'AA==', N: 3, r: 1, p: 1 }),
    );
    expect((await readdir(keys)).length).toBe(4);
    const early = startEarlyKey(other, 'pw')!;
    expect(early.params).toEqual(params);
    const r = await openRepository(localTransport({ root: other }), {
      password: 'pw',
      crypto: withEarlyKey(nativeCrypto, early),
    });
    await r.close();
  });
});

describe('readKeySlotKdf', () => {
  it('reads the scrypt fields of every slot serializeKeySlot writes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.constantFrom(2 ** 4, 2 ** 6),
        fc.integer({ min: 1, max: 4 }),
        async (master, password, N, r) => {
          const slot = await createKeySlot(nativeCrypto, master, password, { params: { N, r, p: 1 } });
          const kdf = readKeySlotKdf(serializeKeySlot(slot))!;
          expect({ N: kdf.N, r: kdf.r, p: kdf.p, created: kdf.created }).toEqual({
            N: slot.N,
            r: slot.r,
            p: slot.p,
            created: slot.created,
          });
          expect(Buffer.from(kdf.salt).toString('base64')).toBe(slot.salt);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('never throws on arbitrary bytes or JSON, and accepts only in-range scrypt parameters', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 256 }),
          fc.json().map((j) => new TextEncoder().encode(j)),
        ),
        (b) => {
          const kdf = readKeySlotKdf(b);
          if (kdf) {
            expect(kdf.N & (kdf.N - 1)).toBe(0);
            expect(kdf.N).toBeGreaterThanOrEqual(2);
            expect(kdf.salt.length).toBeGreaterThan(0);
          }
        },
      ),
    );
  });
});
