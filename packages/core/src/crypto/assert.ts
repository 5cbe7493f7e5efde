import { IntegrityError } from '../errors';
import { KEY_LENGTH, NONCE_LENGTH, type ScryptParams } from './provider';

/**
 * Argument checks shared by the crypto providers and the constructions above them. A bad argument
 * is a programmer mistake, so it throws `TypeError` / `RangeError` naming the function and the
 * argument, never a `KluisError` (those are for bad stored bytes).
 */

/** True for any `Uint8Array`, including a `Buffer` and one from another realm (iframe, `vm`). */
function isBytes(value: unknown): value is Uint8Array {
  return (
    value instanceof Uint8Array || (ArrayBuffer.isView(value) && value.constructor?.name === 'Uint8Array')
  );
}

/** Throws unless `value` is a `Uint8Array` (a Node `Buffer` counts) of `length` bytes, if given. */
export function assertBytes(value: unknown, where: string, name: string, length?: number): Uint8Array {
  if (!isBytes(value)) {
    throw new TypeError(`${where}: ${name} must be a Uint8Array, got ${describe(value)}`);
  }
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${where}: ${name} must be ${length} bytes, got ${value.length}`);
  }
  return value;
}

/** Throws unless `value` is a `Uint8Array` whose length lies in `[min, max]`. */
export function assertBytesBetween(
  value: unknown,
  where: string,
  name: string,
  min: number,
  max: number,
): Uint8Array {
  const bytes = assertBytes(value, where, name);
  if (bytes.length < min || bytes.length > max) {
    throw new RangeError(`${where}: ${name} must be ${min} to ${max} bytes, got ${bytes.length}`);
  }
  return bytes;
}

/** Throws unless `value` is an integer in `[min, max]`. */
export function assertInteger(value: unknown, where: string, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${where}: ${name} must be an integer, got ${describe(value)}`);
  }
  if (value < min || value > max) {
    throw new RangeError(`${where}: ${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

/**
 * Upper bounds on scrypt parameters that kluis accepts anywhere (creating or opening a key slot,
 * or calling a provider). They stop a hostile key slot from asking for terabytes of memory.
 */
export const SCRYPT_LIMITS = { maxN: 2 ** 22, maxR: 32, maxP: 16, maxDkLen: 1024 } as const;

/** Validates scrypt parameters (N a power of two in [2, 2^22], r in [1, 32], p in [1, 16]). */
export function assertScryptParams(params: unknown, where: string): Required<ScryptParams> {
  if (typeof params !== 'object' || params === null) {
    throw new TypeError(`${where}: params must be an object { N, r, p }, got ${describe(params)}`);
  }
  const { N, r, p, dkLen = 32 } = params as Partial<ScryptParams>;
  assertInteger(N, where, 'params.N', 2, SCRYPT_LIMITS.maxN);
  if ((N! & (N! - 1)) !== 0) throw new RangeError(`${where}: params.N must be a power of two, got ${N}`);
  assertInteger(r, where, 'params.r', 1, SCRYPT_LIMITS.maxR);
  assertInteger(p, where, 'params.p', 1, SCRYPT_LIMITS.maxP);
  assertInteger(dkLen, where, 'params.dkLen', 1, SCRYPT_LIMITS.maxDkLen);
  return { N: N!, r: r!, p: p!, dkLen };
}

/**
 * Bytes of working memory scrypt needs: the N-entry table V (128·r·N) plus the p blocks B
 * (128·r·p) and a little scratch. Node's `maxmem` and the calibration both use it.
 */
export function scryptMemoryBytes(params: ScryptParams): number {
  return 128 * params.r * (params.N + params.p + 2);
}

const encoder = new TextEncoder();

/** Checks the arguments every XChaCha20-Poly1305 call shares. */
export function checkAeadArgs(
  where: string,
  key: unknown,
  nonce: unknown,
  data: unknown,
  aad: unknown,
): void {
  assertBytes(key, where, 'key', KEY_LENGTH);
  assertBytes(nonce, where, 'nonce', NONCE_LENGTH);
  assertBytes(data, where, where === 'xchachaOpen' ? 'sealed' : 'plaintext');
  assertBytes(aad, where, 'aad');
}

/** Checks HKDF arguments and returns `info` as bytes. */
export function checkHkdfArgs(ikm: unknown, salt: unknown, info: unknown, length: unknown): Uint8Array {
  assertBytes(ikm, 'hkdfSha256', 'ikm');
  assertBytes(salt, 'hkdfSha256', 'salt');
  assertInteger(length, 'hkdfSha256', 'length', 1, 255 * 32);
  if (typeof info === 'string') return encoder.encode(info);
  return assertBytes(info, 'hkdfSha256', 'info');
}

/** The error every AEAD open throws when the tag does not verify. */
export function authenticationFailed(): IntegrityError {
  return new IntegrityError(
    'sealed data',
    'a valid Poly1305 tag',
    'a mismatch',
    'authentication failed: the ciphertext, nonce, tag or associated data was altered, or the key is wrong',
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
