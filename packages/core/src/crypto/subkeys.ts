import { assertBytes, assertBytesBetween } from './assert';
import { type CryptoProvider, KEY_LENGTH } from './provider';

/**
 * The fixed HKDF-SHA-256 salt for subkey derivation: the UTF-8 bytes of `kluis/v1/subkeys`.
 * A fixed public salt is fine here because the input (the master secret) is already uniformly
 * random; the salt only separates kluis's use of HKDF from any other use of the same secret.
 *
 * @example
 * ```ts
 * const idKey = portableCrypto.hkdfSha256(master, SUBKEY_SALT, SUBKEY_INFO.id, 32); // = deriveSubkeys(...).id
 * ```
 */
export const SUBKEY_SALT: Uint8Array = new TextEncoder().encode('kluis/v1/subkeys');

/**
 * The HKDF `info` string for each subkey; distinct strings give independent keys.
 *
 * @example
 * ```ts
 * SUBKEY_INFO.chunker; // 'kluis/v1/chunker'
 * ```
 */
export const SUBKEY_INFO = {
  encryption: 'kluis/v1/encryption',
  id: 'kluis/v1/blob-id',
  chunker: 'kluis/v1/chunker',
} as const;

/**
 * The three independent 32-byte keys a repository uses, all derived from its master secret.
 *
 * @example
 * ```ts
 * const { encryption, id, chunker }: Subkeys = deriveSubkeys(portableCrypto, master);
 * ```
 */
export interface Subkeys {
  /** XChaCha20-Poly1305 key for blobs, pack headers, index and snapshot files. */
  encryption: Uint8Array;
  /** HMAC-SHA-256 key for blob IDs. */
  id: Uint8Array;
  /** Secret from which the chunker derives its gear table. */
  chunker: Uint8Array;
}

/**
 * Derives the repository's subkeys from its master secret (32 to 64 bytes):
 * `HKDF-SHA-256(ikm = master, salt = SUBKEY_SALT, info = SUBKEY_INFO[name], length = 32)`.
 * Keeping the keys apart means no key is ever used by two algorithms.
 *
 * @example
 * ```ts
 * import { deriveSubkeys, portableCrypto } from '@kluis/core/crypto';
 *
 * const master = portableCrypto.randomBytes(32);
 * const { encryption, id, chunker } = deriveSubkeys(portableCrypto, master);
 * ```
 */
export function deriveSubkeys(provider: CryptoProvider, master: Uint8Array): Subkeys {
  assertBytesBetween(master, 'deriveSubkeys', 'master', 32, 64);
  const derive = (info: string) => provider.hkdfSha256(master, SUBKEY_SALT, info, KEY_LENGTH);
  return {
    encryption: derive(SUBKEY_INFO.encryption),
    id: derive(SUBKEY_INFO.id),
    chunker: derive(SUBKEY_INFO.chunker),
  };
}

/**
 * The ID of a blob: HMAC-SHA-256 of its plaintext under the repository's 32-byte ID key.
 * Keyed, unlike a plain SHA-256, so someone who can read the repository but holds no key cannot
 * test whether it contains a file they know.
 *
 * @example
 * ```ts
 * import { blobId, deriveSubkeys, portableCrypto } from '@kluis/core/crypto';
 * import { toHex } from '@kluis/core/format';
 *
 * const keys = deriveSubkeys(portableCrypto, portableCrypto.randomBytes(32));
 * const id = toHex(blobId(portableCrypto, keys.id, new TextEncoder().encode('hello')));
 * ```
 */
export function blobId(provider: CryptoProvider, idKey: Uint8Array, plaintext: Uint8Array): Uint8Array {
  assertBytes(idKey, 'blobId', 'idKey', KEY_LENGTH);
  return provider.hmacSha256(idKey, plaintext);
}
