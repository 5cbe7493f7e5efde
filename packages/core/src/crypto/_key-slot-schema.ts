import * as z from 'zod/mini';
import { validate } from '../_validate';
import { KluisError } from '../errors';
import { SCRYPT_LIMITS } from './assert';
import { decodeBase64 } from './base64';
import type { KeySlot } from './key-slot-format';
import { SEAL_OVERHEAD } from './seal';

/** The only key slot format version this code reads and writes. */
export const KEY_SLOT_VERSION = 1;

const base64Bytes = (min: number, max: number) =>
  z.string().check(
    z.refine((s) => {
      const bytes = decodeBase64(s);
      return bytes !== undefined && bytes.length >= min && bytes.length <= max;
    }, `must be canonical base64 of ${min} to ${max} bytes`),
  );

const text = z.string().check(z.minLength(1), z.maxLength(256));

/** Every field of a stored key slot, with bounds (see `SCRYPT_LIMITS`). Unknown fields are refused. */
const keySlotSchema = z.strictObject({
  version: z.literal(KEY_SLOT_VERSION),
  kdf: z.literal('scrypt'),
  N: z.int().check(
    z.gte(2),
    z.lte(SCRYPT_LIMITS.maxN),
    z.refine((n) => (n & (n - 1)) === 0, 'must be a power of two'),
  ),
  r: z.int().check(z.gte(1), z.lte(SCRYPT_LIMITS.maxR)),
  p: z.int().check(z.gte(1), z.lte(SCRYPT_LIMITS.maxP)),
  salt: base64Bytes(16, 64),
  created: z.iso.datetime({ offset: true }),
  label: z.optional(text),
  host: z.optional(text),
  username: z.optional(text),
  // A sealed master secret of 32 to 64 bytes.
  data: base64Bytes(SEAL_OVERHEAD + 32, SEAL_OVERHEAD + 64),
});

/**
 * Checks an untrusted value against the key slot format. A `version` other than 1 is
 * `UNSUPPORTED_VERSION`; anything else wrong is a `ValidationError` (code `INVALID_DATA`) naming
 * each bad field.
 */
export function validateKeySlot(value: unknown): KeySlot {
  if (typeof value === 'object' && value !== null && 'version' in value) {
    const { version } = value as { version: unknown };
    if (typeof version === 'number' && version !== KEY_SLOT_VERSION) {
      throw new KluisError(
        'UNSUPPORTED_VERSION',
        `key slot version ${version} is not supported (this kluis reads version ${KEY_SLOT_VERSION}): upgrade kluis`,
      );
    }
  }
  const { label, host, username, ...required } = validate(keySlotSchema, value, 'key slot');
  return {
    ...required,
    ...(label === undefined ? {} : { label }),
    ...(host === undefined ? {} : { host }),
    ...(username === undefined ? {} : { username }),
  };
}
