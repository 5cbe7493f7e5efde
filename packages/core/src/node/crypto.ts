import { createHash, createHmac, hkdfSync, scrypt as scryptCallback } from 'node:crypto';
import { assertBytes, assertScryptParams, checkHkdfArgs, scryptMemoryBytes } from '../crypto/assert';
import type { CryptoProvider, ScryptParams, Sha256Stream } from '../crypto/provider';
import { webRandomBytes } from '../crypto/random';
import { ownedBytes, xchachaOpen, xchachaSeal, xchachaSealBox, xchachaSealInto } from './crypto-xchacha';

async function scrypt(password: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  assertBytes(password, 'scrypt', 'password');
  assertBytes(salt, 'scrypt', 'salt');
  const { N, r, p, dkLen } = assertScryptParams(params, 'scrypt');
  // OpenSSL refuses to use more than `maxmem` (32 MiB by default). It needs 128·r·(N + p + 2)
  // bytes, because the p blocks are computed one after another; allow that plus a margin.
  const maxmem = scryptMemoryBytes({ N, r, p }) + 2 ** 20;
  return new Promise((resolve, reject) => {
    // The callback form runs on the libuv thread pool and never blocks the event loop.
    scryptCallback(password, salt, dkLen, { N, r, p, maxmem }, (error, key) => {
      if (error) reject(error);
      else resolve(ownedBytes(key));
    });
  });
}

/**
 * The native crypto provider: SHA-256, HMAC, HKDF and scrypt from OpenSSL through `node:crypto`,
 * and XChaCha20-Poly1305 as noble's HChaCha20 subkey plus OpenSSL's ChaCha20-Poly1305.
 * Byte-identical to the portable provider and 10–20× faster (about 1.7 GB/s HMAC-SHA-256 and
 * 2.4 GB/s XChaCha20-Poly1305 on 1 MiB calls on one core of the reference machine).
 *
 * @example
 * ```ts
 * import { deriveSubkeys, blobId } from '@kluis/core/crypto';
 * import { nativeCrypto } from '@kluis/core/node';
 *
 * const keys = deriveSubkeys(nativeCrypto, nativeCrypto.randomBytes(32));
 * const id = blobId(nativeCrypto, keys.id, new TextEncoder().encode('chunk'));
 * ```
 */
export const nativeCrypto: CryptoProvider = Object.freeze({
  name: 'native',
  randomBytes: webRandomBytes,
  sha256(data: Uint8Array): Uint8Array {
    assertBytes(data, 'sha256', 'data');
    return ownedBytes(createHash('sha256').update(data).digest());
  },
  sha256Stream(): Sha256Stream {
    const h = createHash('sha256');
    return {
      update(data) {
        h.update(assertBytes(data, 'sha256Stream', 'data'));
      },
      digest: () => ownedBytes(h.digest()),
    };
  },
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
    assertBytes(key, 'hmacSha256', 'key');
    assertBytes(data, 'hmacSha256', 'data');
    return ownedBytes(createHmac('sha256', key).update(data).digest());
  },
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: string | Uint8Array, length: number): Uint8Array {
    const infoBytes = checkHkdfArgs(ikm, salt, info, length);
    return new Uint8Array(hkdfSync('sha256', ikm, salt, infoBytes, length));
  },
  scrypt,
  xchachaSeal,
  xchachaSealInto,
  xchachaSealBox,
  xchachaOpen,
});
