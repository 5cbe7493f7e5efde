/**
 * @packageDocumentation
 * `@kluis/core/crypto`: the cryptography of the repository format — sealing with
 * XChaCha20-Poly1305, key slots (scrypt-wrapped master secrets), subkeys and keyed blob ids, scrypt
 * calibration, and the `CryptoProvider` contract with its portable implementation (`nativeCrypto`
 * in `@kluis/core/node` is the fast one). Browser-safe. Applications use `@kluis/core`; this is for
 * tools that work with keys or sealed objects directly.
 *
 * @module @kluis/core/crypto
 */

export type { CreateKeySlotOptions, KeySlot, OpenKeySlotOptions } from './key-slot';
export {
  createKeySlot,
  DEFAULT_MAX_SCRYPT_MEMORY,
  DEFAULT_SCRYPT_PARAMS,
  KEY_SLOT_AAD,
  keySlotId,
  openKeySlot,
  parseKeySlot,
  rewrapKeySlot,
  serializeKeySlot,
} from './key-slot';
export { portableCrypto } from './portable';
export type { CryptoProvider, ScryptParams, Sha256Stream } from './provider';
export { KEY_LENGTH, NONCE_LENGTH, TAG_LENGTH } from './provider';
export type { CalibrateScryptOptions } from './scrypt-calibration';
export { calibrateScrypt, MIN_CALIBRATED_N } from './scrypt-calibration';
export { open, SEAL_OVERHEAD, seal, sealWithNonce } from './seal';
export type { Subkeys } from './subkeys';
export { blobId, deriveSubkeys, SUBKEY_INFO, SUBKEY_SALT } from './subkeys';
