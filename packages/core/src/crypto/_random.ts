import { assertInteger } from './_assert';

/** `getRandomValues` fills at most 65536 bytes per call (Web Crypto quota). */
const QUOTA = 65_536;

/** Secure random bytes of any length from the platform's Web Crypto `getRandomValues`. */
export function webRandomBytes(length: number): Uint8Array {
  assertInteger(length, 'randomBytes', 'length', 0, 2 ** 31 - 1);
  const out = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += QUOTA) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + QUOTA)));
  }
  return out;
}
