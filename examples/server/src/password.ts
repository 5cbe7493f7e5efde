import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { KluisError } from '@kluis/core';

/** scrypt cost parameters; stored with every hash so they can be raised without a reset. */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

/**
 * The default cost: about 32 MiB and tens of milliseconds per verification on an idle core.
 *
 * @example
 * ```ts
 * await hashPassword(pw, { ...DEFAULT_SCRYPT, N: 2 ** 16 });
 * ```
 */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

const KEY_LEN = 32;
const SALT_LEN = 16;
const FORMAT = /^\$scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

function derive(password: string, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  const maxmem = 128 * params.N * params.r * params.p + 4 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LEN, { ...params, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

function checkParams(params: ScryptParams): void {
  const { N, r, p } = params;
  if (!Number.isInteger(N) || N < 2 || N > 2 ** 22 || (N & (N - 1)) !== 0) {
    throw new KluisError('INVALID_CONFIG', `scrypt N must be a power of two in 2..2^22, got ${N}`);
  }
  if (!Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) {
    throw new KluisError('INVALID_CONFIG', `scrypt r must be 1..32 and p 1..16, got r=${r} p=${p}`);
  }
}

/**
 * Hashes a password with scrypt and a fresh random salt into a self-describing string
 * `$scrypt$N=..,r=..,p=..$<salt>$<key>` (base64).
 *
 * @example
 * ```ts
 * const stored = await hashPassword('correct horse battery staple');
 * ```
 */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  checkParams(params);
  const salt = randomBytes(SALT_LEN);
  const key = await derive(password, salt, params);
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  return `$scrypt$N=${params.N},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

/**
 * True when `password` matches `stored` (from {@link hashPassword}). The comparison is constant
 * time; a malformed `stored` string is a mismatch, not an exception, after doing the same work.
 *
 * @example
 * ```ts
 * if (!(await verifyPassword(given, row.password_hash))) return unauthorized();
 * ```
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = FORMAT.exec(stored);
  if (!m) {
    await derive(password, randomBytes(SALT_LEN), DEFAULT_SCRYPT);
    return false;
  }
  const params = { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  checkParams(params);
  const expected = Buffer.from(m[5]!, 'base64');
  const actual = await derive(password, Buffer.from(m[4]!, 'base64'), params);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * The cost parameters recorded in a stored hash, or `undefined` if it is not one of ours.
 *
 * @example
 * ```ts
 * hashParams(stored); // { N: 32768, r: 8, p: 1 }
 * ```
 */
export function hashParams(stored: string): ScryptParams | undefined {
  const m = FORMAT.exec(stored);
  return m ? { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) } : undefined;
}
