import { assertInteger, SCRYPT_LIMITS, scryptMemoryBytes } from './assert';
import type { CryptoProvider, ScryptParams } from './provider';

/**
 * Options of {@link calibrateScrypt}.
 *
 * @example
 * ```ts
 * const options: CalibrateScryptOptions = { targetMs: 1000, maxMemoryBytes: 2 ** 30 };
 * ```
 */
export interface CalibrateScryptOptions {
  /** Time one derivation should take at most, in milliseconds. Default 500. */
  targetMs?: number;
  /** Memory scrypt may use. Default 256 MiB plus a margin (N up to 2^18 with r = 8). */
  maxMemoryBytes?: number;
  /** Clock in milliseconds; default `performance.now`. Tests pass a fake one. */
  now?: () => number;
}

/**
 * Smallest N calibration returns: 2^15 (32 MiB with r = 8), whatever the machine.
 *
 * @example
 * ```ts
 * (await calibrateScrypt(portableCrypto)).N >= MIN_CALIBRATED_N; // true
 * ```
 */
export const MIN_CALIBRATED_N = 2 ** 15;
const PROBE_N = 2 ** 14;
const R = 8;
const P = 1;

/**
 * Measures this machine and returns scrypt parameters for a new key slot: r = 8, p = 1 and the
 * largest power-of-two N whose estimated time is at most `targetMs`, within `maxMemoryBytes`,
 * and never below 2^15 (so a slow machine still gets a reasonable cost). Time grows linearly in
 * N, so two runs at N = 2^14 (the faster one counts, to skip warm-up) predict the rest.
 *
 * @example
 * ```ts
 * import { calibrateScrypt, createKeySlot } from '@kluis/core/crypto';
 * import { nativeCrypto } from '@kluis/core/node';
 *
 * const params = await calibrateScrypt(nativeCrypto, { targetMs: 1000 });
 * const slot = await createKeySlot(nativeCrypto, master, password, { params });
 * ```
 */
export async function calibrateScrypt(
  provider: CryptoProvider,
  options: CalibrateScryptOptions = {},
): Promise<ScryptParams> {
  const targetMs = options.targetMs ?? 500;
  if (typeof targetMs !== 'number' || !(targetMs > 0) || !Number.isFinite(targetMs)) {
    throw new RangeError(`calibrateScrypt: targetMs must be a positive number, got ${targetMs}`);
  }
  const maxMemory = options.maxMemoryBytes ?? 2 ** 28 + 2 ** 20;
  assertInteger(maxMemory, 'calibrateScrypt', 'maxMemoryBytes', 0, Number.MAX_SAFE_INTEGER);
  if (scryptMemoryBytes({ N: MIN_CALIBRATED_N, r: R, p: P }) > maxMemory) {
    throw new RangeError(
      `calibrateScrypt: maxMemoryBytes ${maxMemory} is below the 32 MiB scrypt needs at N=2^15`,
    );
  }
  const now = options.now ?? (() => performance.now());
  const password = new Uint8Array(16);
  const salt = provider.randomBytes(32);
  let probeMs = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 2; run++) {
    const start = now();
    await provider.scrypt(password, salt, { N: PROBE_N, r: R, p: P, dkLen: 32 });
    probeMs = Math.min(probeMs, Math.max(now() - start, 1e-3));
  }
  let N = MIN_CALIBRATED_N;
  while (
    N < SCRYPT_LIMITS.maxN &&
    probeMs * ((2 * N) / PROBE_N) <= targetMs &&
    scryptMemoryBytes({ N: 2 * N, r: R, p: P }) <= maxMemory
  ) {
    N *= 2;
  }
  return { N, r: R, p: P };
}
