import { KluisError } from '../errors';
import { validateKeySlot } from './_key-slot-schema';
import { assertBytesBetween, assertScryptParams, scryptMemoryBytes } from './assert';
import { decodeBase64, encodeBase64 } from './base64';
import type { KeySlot } from './key-slot-format';
import type { CryptoProvider, ScryptParams } from './provider';
import { open, seal } from './seal';

export { keySlotId, parseKeySlot, serializeKeySlot } from './key-slot-codec';
export type { KeySlot } from './key-slot-format';
export type { ScryptParams } from './provider';
export { calibrateScrypt } from './scrypt-calibration';

/**
 * Options of {@link createKeySlot}.
 *
 * @example
 * ```ts
 * const options: CreateKeySlotOptions = { params: { N: 2 ** 18, r: 8, p: 1 }, label: 'laptop' };
 * ```
 */
export interface CreateKeySlotOptions {
  /** scrypt cost; default {@link DEFAULT_SCRYPT_PARAMS}. Use `calibrateScrypt` to fit the machine. */
  params?: ScryptParams;
  /** A free-text name shown by `kluis key list` (1–256 characters), e.g. "laptop". */
  label?: string;
  host?: string;
  username?: string;
  /** Creation time to record; default now. */
  created?: Date;
}

/**
 * Options of {@link openKeySlot}.
 *
 * @example
 * ```ts
 * await openKeySlot(provider, slot, password, { maxMemoryBytes: 2 ** 31 });
 * ```
 */
export interface OpenKeySlotOptions {
  /**
   * Refuse slots whose scrypt needs more memory than this (a hostile slot could ask for 16 GiB).
   * Default {@link DEFAULT_MAX_SCRYPT_MEMORY}.
   */
  maxMemoryBytes?: number;
}

/**
 * scrypt cost used when none is given: 128 MiB, about 0.3–0.5 s natively (slower in browsers).
 *
 * @example
 * ```ts
 * const slot = await createKeySlot(provider, master, password, { params: DEFAULT_SCRYPT_PARAMS });
 * ```
 */
export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });
/**
 * Default memory ceiling for opening a slot: 1 GiB plus a margin (enough for N = 2^20, r = 8).
 *
 * @example
 * ```ts
 * await openKeySlot(provider, slot, password, { maxMemoryBytes: 2 * DEFAULT_MAX_SCRYPT_MEMORY });
 * ```
 */
export const DEFAULT_MAX_SCRYPT_MEMORY = 2 ** 30 + 2 ** 20;
/**
 * Associated data of the sealed master secret in every key slot: UTF-8 `kluis key slot v1`.
 *
 * @example
 * ```ts
 * const master = open(provider, kek, sealedMaster, KEY_SLOT_AAD);
 * ```
 */
export const KEY_SLOT_AAD: Uint8Array = new TextEncoder().encode('kluis key slot v1');

function passwordBytes(password: unknown, where: string): Uint8Array {
  if (typeof password !== 'string') throw new TypeError(`${where}: password must be a string`);
  return new TextEncoder().encode(password.normalize('NFC'));
}

/**
 * Wraps `master` (32 to 64 bytes) under `password`. The password is NFC-normalised, so the
 * same visible text typed on any system opens the slot. Takes as long as one scrypt run.
 *
 * @example
 * ```ts
 * import { createKeySlot, portableCrypto, serializeKeySlot } from '@kluis/core/crypto';
 *
 * const master = portableCrypto.randomBytes(32);
 * const slot = await createKeySlot(portableCrypto, master, 'correct horse', { label: 'laptop' });
 * const bytes = serializeKeySlot(slot); // store under keys/<id>
 * ```
 */
export async function createKeySlot(
  provider: CryptoProvider,
  master: Uint8Array,
  password: string,
  options: CreateKeySlotOptions = {},
): Promise<KeySlot> {
  assertBytesBetween(master, 'createKeySlot', 'master', 32, 64);
  const secret = passwordBytes(password, 'createKeySlot');
  if (password.length === 0) throw new RangeError('createKeySlot: password must not be empty');
  const { N, r, p } = assertScryptParams(options.params ?? DEFAULT_SCRYPT_PARAMS, 'createKeySlot');
  const created = options.created ?? new Date();
  if (!(created instanceof Date) || Number.isNaN(created.getTime())) {
    throw new RangeError('createKeySlot: options.created must be a valid Date');
  }
  const salt = provider.randomBytes(32);
  const kek = await provider.scrypt(secret, salt, { N, r, p, dkLen: 32 });
  const data = seal(provider, kek, master, KEY_SLOT_AAD);
  kek.fill(0);
  const { label, host, username } = options;
  return validateKeySlot({
    version: 1,
    kdf: 'scrypt',
    N,
    r,
    p,
    salt: encodeBase64(salt),
    created: created.toISOString(),
    ...(label === undefined ? {} : { label }),
    ...(host === undefined ? {} : { host }),
    ...(username === undefined ? {} : { username }),
    data: encodeBase64(data),
  });
}

/**
 * Recovers the master secret from a slot. A password that does not open it throws
 * `KluisError` code `WRONG_PASSWORD`; a malformed slot throws a `ValidationError`
 * (`INVALID_DATA`), and one needing more scrypt memory than allowed is refused the same way.
 *
 * @example
 * ```ts
 * import { KluisError } from '@kluis/core';
 * import { openKeySlot, parseKeySlot, portableCrypto } from '@kluis/core/crypto';
 *
 * try {
 *   const master = await openKeySlot(portableCrypto, parseKeySlot(bytes), password);
 * } catch (e) {
 *   if (KluisError.is(e, 'WRONG_PASSWORD')) console.error('wrong password');
 * }
 * ```
 */
export async function openKeySlot(
  provider: CryptoProvider,
  slot: KeySlot,
  password: string,
  options: OpenKeySlotOptions = {},
): Promise<Uint8Array> {
  const secret = passwordBytes(password, 'openKeySlot');
  const s = validateKeySlot(slot);
  const limit = options.maxMemoryBytes ?? DEFAULT_MAX_SCRYPT_MEMORY;
  const needed = scryptMemoryBytes(s);
  if (needed > limit) {
    throw new KluisError(
      'INVALID_DATA',
      `key slot${describe(s)} needs ${needed} bytes of scrypt memory, above the limit of ${limit} (raise maxMemoryBytes if you trust it)`,
    );
  }
  const kek = await provider.scrypt(secret, decodeBase64(s.salt)!, { N: s.N, r: s.r, p: s.p, dkLen: 32 });
  try {
    return open(provider, kek, decodeBase64(s.data)!, KEY_SLOT_AAD);
  } catch (e) {
    if (!KluisError.is(e, 'INTEGRITY')) throw e;
    throw new KluisError('WRONG_PASSWORD', `wrong password for key slot${describe(s)}`);
  } finally {
    kek.fill(0);
  }
}

/**
 * Changes a slot's password: opens it with `oldPassword` and returns a new slot wrapping the same
 * master under `newPassword`, with a fresh salt. Label, host, username and scrypt cost carry over
 * unless `options` overrides them; `created` is now unless given. Store the new slot before
 * deleting the old one.
 *
 * @example
 * ```ts
 * const next = await rewrapKeySlot(portableCrypto, slot, 'old secret', 'new secret');
 * ```
 */
export async function rewrapKeySlot(
  provider: CryptoProvider,
  slot: KeySlot,
  oldPassword: string,
  newPassword: string,
  options: CreateKeySlotOptions = {},
): Promise<KeySlot> {
  const master = await openKeySlot(provider, slot, oldPassword);
  const { label, host, username } = slot;
  const inherited = {
    params: { N: slot.N, r: slot.r, p: slot.p },
    ...(label === undefined ? {} : { label }),
    ...(host === undefined ? {} : { host }),
    ...(username === undefined ? {} : { username }),
  };
  try {
    return await createKeySlot(provider, master, newPassword, { ...inherited, ...options });
  } finally {
    master.fill(0);
  }
}

function describe(slot: KeySlot): string {
  return slot.label === undefined ? '' : ` "${slot.label}"`;
}
