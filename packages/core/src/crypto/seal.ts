import { IntegrityError, KluisError } from '../errors';
import { assertBytes } from './assert';
import { type CryptoProvider, KEY_LENGTH, NONCE_LENGTH, TAG_LENGTH } from './provider';

/**
 * Bytes `seal` adds to a plaintext: a 24-byte nonce in front and a 16-byte tag behind.
 *
 * @example
 * ```ts
 * const plaintextLength = sealed.length - SEAL_OVERHEAD;
 * ```
 */
export const SEAL_OVERHEAD = NONCE_LENGTH + TAG_LENGTH;

/**
 * Encrypts and authenticates `plaintext` with XChaCha20-Poly1305 under a fresh random nonce and
 * returns `nonce(24) || ciphertext || tag(16)` in a single allocation. `aad` (associated data) is
 * authenticated but not stored: `open` must be given the same bytes, which is how kluis binds a
 * blob to its ID and type. Random 192-bit nonces never repeat in practice, so one key can seal
 * any number of blobs.
 *
 * @example
 * ```ts
 * import { seal, open, portableCrypto } from '@kluis/core/crypto';
 *
 * const key = portableCrypto.randomBytes(32);
 * const aad = new TextEncoder().encode('snapshot');
 * const box = seal(portableCrypto, key, new TextEncoder().encode('{"paths":["/"]}'), aad);
 * box.length; // 15 + SEAL_OVERHEAD
 * ```
 */
export function seal(provider: CryptoProvider, key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array) {
  return sealWithNonce(provider, key, provider.randomBytes(NONCE_LENGTH), plaintext, aad);
}

/**
 * `seal` with a caller-chosen nonce, for known-answer test vectors and for independent
 * implementations checking their output against kluis. Never reuse a nonce under one key: doing
 * so reveals the XOR of the two plaintexts and lets an attacker forge tags. Use {@link seal}.
 *
 * @example
 * ```ts
 * import { sealWithNonce, portableCrypto } from '@kluis/core/crypto';
 *
 * const fixed = sealWithNonce(portableCrypto, new Uint8Array(32), new Uint8Array(24), new Uint8Array(0), new Uint8Array(0));
 * fixed.length; // 40: nonce and tag only
 * ```
 */
export function sealWithNonce(
  provider: CryptoProvider,
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  assertBytes(nonce, 'sealWithNonce', 'nonce', NONCE_LENGTH);
  assertBytes(plaintext, 'seal', 'plaintext');
  return provider.xchachaSealBox(key, nonce, plaintext, aad);
}

/**
 * Verifies and decrypts `nonce || ciphertext || tag` from {@link seal}. Anything shorter than
 * {@link SEAL_OVERHEAD} bytes, or any altered byte (or different `aad`, or a wrong key), throws an
 * `IntegrityError` (code `INTEGRITY`) whose `key` is `context` when given (say, the object name),
 * so the message tells where the bad bytes came from.
 *
 * @example
 * ```ts
 * import { KluisError } from '@kluis/core';
 * import { open, portableCrypto, seal } from '@kluis/core/crypto';
 *
 * const key = portableCrypto.randomBytes(32);
 * const aad = new Uint8Array(0);
 * const box = seal(portableCrypto, key, new Uint8Array([1, 2, 3]), aad);
 * open(portableCrypto, key, box, aad); // Uint8Array [1, 2, 3]
 * box[30]! ^= 1; // one flipped bit
 * try { open(portableCrypto, key, box, aad, 'index/ab12'); } catch (e) { KluisError.is(e, 'INTEGRITY'); }
 * ```
 */
export function open(
  provider: CryptoProvider,
  key: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
  context?: string,
): Uint8Array {
  assertBytes(key, 'open', 'key', KEY_LENGTH);
  assertBytes(sealed, 'open', 'sealed');
  const where = context ?? 'sealed data';
  if (sealed.length < SEAL_OVERHEAD) {
    throw new IntegrityError(where, `at least ${SEAL_OVERHEAD} bytes`, `${sealed.length} bytes`);
  }
  try {
    return provider.xchachaOpen(key, sealed.subarray(0, NONCE_LENGTH), sealed.subarray(NONCE_LENGTH), aad);
  } catch (e) {
    if (context === undefined || !KluisError.is(e, 'INTEGRITY')) throw e;
    throw new IntegrityError(context, 'a valid Poly1305 tag', 'a mismatch', `${e.message} (in ${context})`);
  }
}
