/**
 * XChaCha20-Poly1305 key length in bytes.
 *
 * @example
 * ```ts
 * const key = portableCrypto.randomBytes(KEY_LENGTH);
 * ```
 */
export const KEY_LENGTH = 32;
/**
 * XChaCha20-Poly1305 nonce length in bytes (192 bits: safe to pick at random for every message).
 *
 * @example
 * ```ts
 * const nonce = sealed.subarray(0, NONCE_LENGTH); // seal() puts the nonce first
 * ```
 */
export const NONCE_LENGTH = 24;
/**
 * Poly1305 tag length in bytes.
 *
 * @example
 * ```ts
 * const tag = sealed.subarray(sealed.length - TAG_LENGTH);
 * ```
 */
export const TAG_LENGTH = 16;

/**
 * scrypt cost parameters (RFC 7914). Memory use is about `128 · N · r` bytes; time grows with
 * `N · r · p`. kluis accepts N a power of two up to 2^22, r up to 32 and p up to 16.
 *
 * @example
 * ```ts
 * const params: ScryptParams = { N: 2 ** 17, r: 8, p: 1 }; // 128 MiB, ~0.3 s natively
 * ```
 */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelism (computed sequentially here). */
  p: number;
  /** Output length in bytes; 32 when omitted. */
  dkLen?: number;
}

/**
 * The cryptographic primitives kluis is built on. Two implementations produce the same bytes:
 * `portableCrypto` (pure JS from `@noble`, for browsers and any runtime) and `nativeCrypto` from
 * `@kluis/core/node` (OpenSSL through `node:crypto`, 10–20× faster). Everything except `scrypt` is
 * synchronous so the backup engine's per-chunk hot path has no `await`.
 *
 * Arguments are checked: a wrong type throws `TypeError`, a wrong length `RangeError`, each naming
 * the argument. Results are plain `Uint8Array`s (never a Node `Buffer`), owned by the caller.
 *
 * @example
 * ```ts
 * import { portableCrypto, type CryptoProvider } from '@kluis/core/crypto';
 *
 * function fingerprint(crypto: CryptoProvider, data: Uint8Array): Uint8Array {
 *   return crypto.sha256(data);
 * }
 * fingerprint(portableCrypto, new TextEncoder().encode('abc'));
 * ```
 */
export interface CryptoProvider {
  /** `'portable'` or `'native'`. */
  readonly name: string;
  /** Cryptographically secure random bytes from `crypto.getRandomValues` (any length). */
  randomBytes(length: number): Uint8Array;
  /** SHA-256 digest (32 bytes). */
  sha256(data: Uint8Array): Uint8Array;
  /**
   * Optional: an incremental SHA-256, for data that arrives in pieces (a pack written piece by
   * piece). Its digest equals `sha256` of the pieces joined. Callers fall back to a portable one
   * when a provider has none.
   */
  sha256Stream?(): Sha256Stream;
  /** HMAC-SHA-256 (RFC 2104) of `data` under `key` (any length); 32 bytes. */
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /**
   * HKDF-SHA-256 (RFC 5869) extract-and-expand. `info` is UTF-8 encoded when a string.
   * `length` is at most 255 · 32 = 8160 bytes.
   */
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: string | Uint8Array, length: number): Uint8Array;
  /**
   * scrypt (RFC 7914). Asynchronous: in Node it runs on the libuv thread pool, in the portable
   * provider it yields to the event loop regularly, so it never blocks for the whole derivation.
   */
  scrypt(password: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array>;
  /**
   * XChaCha20-Poly1305 seal (draft-irtf-cfrg-xchacha): returns `ciphertext || tag(16)` in one
   * allocation. `key` is 32 bytes, `nonce` 24 bytes; `aad` may be empty.
   */
  xchachaSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /**
   * Like {@link CryptoProvider.xchachaSeal} but writes `ciphertext || tag` into `output`, which must
   * be exactly `plaintext.length + 16` bytes and must not overlap `plaintext`. Lets a caller place
   * the result inside a larger buffer (after a nonce, inside a pack) without a second copy.
   */
  xchachaSealInto(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
    output: Uint8Array,
  ): void;
  /**
   * Seals into the layout `seal` stores, `nonce(24) || ciphertext || tag(16)`, in one allocation.
   * The native provider allocates it without zero-filling (every byte is written), which makes
   * sealing a 1 MiB chunk markedly cheaper than filling a fresh zeroed buffer.
   */
  xchachaSealBox(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /**
   * Opens `ciphertext || tag`. A tag that does not verify (any altered byte of ciphertext, tag,
   * nonce or `aad`, or a wrong key) throws an `IntegrityError` (code `INTEGRITY`) and
   * releases no plaintext.
   */
  xchachaOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array;
}

/**
 * An incremental SHA-256 ({@link CryptoProvider.sha256Stream}).
 *
 * @example
 * ```ts
 * const h = nativeCrypto.sha256Stream!();
 * h.update(head);
 * h.update(tail);
 * const digest = h.digest(); // = sha256(head ‖ tail)
 * ```
 */
export interface Sha256Stream {
  /** Adds bytes; they are read before `update` returns. */
  update(data: Uint8Array): void;
  /** The 32-byte digest of everything added. Call once. */
  digest(): Uint8Array;
}
