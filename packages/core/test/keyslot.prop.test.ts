import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createKeySlot,
  openKeySlot,
  parseKeySlot,
  rewrapKeySlot,
  serializeKeySlot,
} from '../src/crypto/key-slot';
import { portableCrypto } from '../src/crypto/portable';
import { KluisError } from '../src/errors';
import { nativeCrypto } from '../src/node/crypto';

// Each run derives keys with scrypt, so run a quarter of the global count (still more in CI).
const numRuns = Math.max(8, Math.floor((fc.readConfigureGlobal().numRuns ?? 60) / 4));
const params = { N: 2 ** 10, r: 1, p: 1 }; // small on purpose: the properties are about wrapping, not cost
const master = fc.uint8Array({ minLength: 32, maxLength: 64 });
const password = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 });

describe.each([
  { creator: portableCrypto, opener: nativeCrypto },
  { creator: nativeCrypto, opener: portableCrypto },
])('key slots created by $creator.name', ({ creator, opener }) => {
  it(`open with ${opener.name} after a serialise/parse round trip gives the master back`, async () => {
    await fc.assert(
      fc.asyncProperty(master, password, async (secret, pw) => {
        const slot = await createKeySlot(creator, secret, pw, { params });
        const stored = parseKeySlot(serializeKeySlot(slot));
        expect(stored).toEqual(slot);
        expect(await openKeySlot(opener, stored, pw)).toEqual(secret);
      }),
      { numRuns },
    );
  });

  it('any other password is WRONG_PASSWORD', async () => {
    await fc.assert(
      fc.asyncProperty(master, password, password, async (secret, pw, other) => {
        fc.pre(pw.normalize('NFC') !== other.normalize('NFC'));
        const slot = await createKeySlot(creator, secret, pw, { params });
        let error: unknown;
        try {
          await openKeySlot(opener, slot, other);
        } catch (e) {
          error = e;
        }
        expect(KluisError.is(error, 'WRONG_PASSWORD')).toBe(true);
      }),
      { numRuns },
    );
  });
});

describe('rewrapKeySlot', () => {
  it('keeps the master through any chain of password changes', async () => {
    await fc.assert(
      fc.asyncProperty(
        master,
        fc.array(password, { minLength: 2, maxLength: 4 }),
        async (secret, passwords) => {
          let slot = await createKeySlot(nativeCrypto, secret, passwords[0]!, { params });
          for (let i = 1; i < passwords.length; i++) {
            slot = await rewrapKeySlot(nativeCrypto, slot, passwords[i - 1]!, passwords[i]!);
          }
          expect(await openKeySlot(nativeCrypto, slot, passwords.at(-1)!)).toEqual(secret);
        },
      ),
      { numRuns },
    );
  });
});
