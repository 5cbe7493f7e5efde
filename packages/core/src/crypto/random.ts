import { assertInteger } from './assert';

/** `getRandomValues` fills at most 65536 bytes per call (Web Crypto quota). */
const QUOTA = 65_536;
/** Small requests (nonces, salts) are served from a buffer refilled 8 KiB at a time. */
const POOL = 8192;
const SMALL = 256;
let pool = new Uint8Array(0);
let used = 0;

/**
 * Secure random bytes of any length from the platform's Web Crypto `getRandomValues`. Requests of
 * up to 256 bytes come from a pooled buffer of the same generator's output, each byte handed out
 * once: one `getRandomValues` call per ~340 nonces instead of one each (a profile showed the
 * per-call cost at ~3 % of a backup).
 */
export function webRandomBytes(length: number): Uint8Array {
  assertInteger(length, 'randomBytes', 'length', 0, 2 ** 31 - 1);
  if (length <= SMALL) {
    if (used + length > pool.length) {
      pool = globalThis.crypto.getRandomValues(new Uint8Array(POOL));
      used = 0;
    }
    const out = pool.slice(used, used + length);
    pool.fill(0, used, used + length);
    used += length;
    return out;
  }
  const out = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += QUOTA) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + QUOTA)));
  }
  return out;
}
