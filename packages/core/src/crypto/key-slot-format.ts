// The stored form of a key slot, apart from the code that creates, validates and encodes it, so
// that each of those imports it one way.

/**
 * A password-protected copy of the repository's master secret, stored as JSON under `keys/<id>`.
 * `data` is `seal(kek, master, aad = UTF-8 "kluis key slot v1")` in base64, where
 * `kek = scrypt(UTF-8(NFC(password)), salt, N, r, p, dkLen = 32)`. Several slots may wrap the same
 * master: one per password.
 *
 * @example
 * ```ts
 * const slot: KeySlot = await createKeySlot(portableCrypto, master, 'correct horse');
 * slot.kdf; // 'scrypt'
 * ```
 */
export interface KeySlot {
  version: 1;
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  /** base64 of the random scrypt salt (32 bytes when created by kluis). */
  salt: string;
  /** ISO 8601 creation time. */
  created: string;
  label?: string;
  host?: string;
  username?: string;
  /** base64 of `nonce || sealed master || tag`. */
  data: string;
}
