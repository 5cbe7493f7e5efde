import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  assertBytes,
  assertScryptParams,
  authenticationFailed,
  checkAeadArgs,
  checkHkdfArgs,
  scryptMemoryBytes,
} from './assert';
import {
  type CryptoProvider,
  NONCE_LENGTH,
  type ScryptParams,
  type Sha256Stream,
  TAG_LENGTH,
} from './provider';
import { webRandomBytes } from './random';

function sealInto(k: Uint8Array, n: Uint8Array, pt: Uint8Array, aad: Uint8Array, out: Uint8Array): void {
  checkAeadArgs('xchachaSealInto', k, n, pt, aad);
  assertBytes(out, 'xchachaSealInto', 'output', pt.length + TAG_LENGTH);
  xchacha20poly1305(k, n, aad).encrypt(pt, out);
}

function open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  checkAeadArgs('xchachaOpen', key, nonce, sealed, aad);
  if (sealed.length < TAG_LENGTH) throw authenticationFailed();
  try {
    return xchacha20poly1305(key, nonce, aad).decrypt(sealed);
  } catch {
    // Arguments were validated above, so the only failure left is a tag mismatch.
    throw authenticationFailed();
  }
}

async function scrypt(password: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  assertBytes(password, 'scrypt', 'password');
  assertBytes(salt, 'scrypt', 'salt');
  const p = assertScryptParams(params, 'scrypt');
  return scryptAsync(password, salt, { ...p, maxmem: scryptMemoryBytes(p) + 2 ** 20, asyncTick: 10 });
}

/**
 * The portable crypto provider: audited pure JavaScript from `@noble/hashes` and `@noble/ciphers`,
 * with randomness from Web Crypto. Runs in browsers, workers, Deno, Bun and Node. Byte-identical
 * to `nativeCrypto` from `@kluis/core/node`, but slower (about 110–150 MB/s for HMAC and AEAD),
 * so Node code should prefer the native one.
 *
 * @example
 * ```ts
 * import { portableCrypto, seal, open } from '@kluis/core/crypto';
 *
 * const key = portableCrypto.randomBytes(32);
 * const box = seal(portableCrypto, key, new TextEncoder().encode('hi'), new Uint8Array(0));
 * open(portableCrypto, key, box, new Uint8Array(0)); // the bytes of 'hi'
 * ```
 */
export const portableCrypto: CryptoProvider = Object.freeze({
  name: 'portable',
  randomBytes: webRandomBytes,
  sha256(data: Uint8Array): Uint8Array {
    return sha256(assertBytes(data, 'sha256', 'data'));
  },
  sha256Stream: portableSha256Stream,
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
    return hmac(sha256, assertBytes(key, 'hmacSha256', 'key'), assertBytes(data, 'hmacSha256', 'data'));
  },
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: string | Uint8Array, length: number): Uint8Array {
    const infoBytes = checkHkdfArgs(ikm, salt, info, length);
    return hkdf(sha256, ikm, salt, infoBytes, length);
  },
  scrypt,
  xchachaSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    checkAeadArgs('xchachaSeal', key, nonce, plaintext, aad);
    const out = new Uint8Array(plaintext.length + TAG_LENGTH);
    sealInto(key, nonce, plaintext, aad, out);
    return out;
  },
  xchachaSealInto: sealInto,
  xchachaSealBox(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    checkAeadArgs('xchachaSealBox', key, nonce, plaintext, aad);
    const out = new Uint8Array(NONCE_LENGTH + plaintext.length + TAG_LENGTH);
    out.set(nonce, 0);
    sealInto(key, nonce, plaintext, aad, out.subarray(NONCE_LENGTH));
    return out;
  },
  xchachaOpen: open,
});

/** An incremental SHA-256 with noble's hash (see `CryptoProvider.sha256Stream`). */
export function portableSha256Stream(): Sha256Stream {
  const h = sha256.create();
  return {
    update(data) {
      h.update(assertBytes(data, 'sha256Stream', 'data'));
    },
    digest: () => h.digest(),
  };
}
