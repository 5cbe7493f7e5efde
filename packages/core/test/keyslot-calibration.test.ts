import { describe, expect, it } from 'vitest';
import type { CryptoProvider, ScryptParams } from '../src/crypto/provider';
import { calibrateScrypt, MIN_CALIBRATED_N } from '../src/crypto/scrypt-calibration';
import { nativeCrypto } from '../src/node/crypto';

/**
 * A provider on a fake clock: each scrypt "takes" `msAt2to14` milliseconds per 2^14 of N, so the
 * calibration is tested without depending on how fast (or busy) this machine is.
 */
function fakeMachine(msAt2to14: number) {
  let clock = 0;
  const seen: ScryptParams[] = [];
  const provider: CryptoProvider = {
    ...nativeCrypto,
    scrypt: async (_password, _salt, params) => {
      seen.push(params);
      clock += (params.N / 2 ** 14) * msAt2to14;
      return new Uint8Array(params.dkLen ?? 32);
    },
  };
  return { provider, now: () => clock, seen };
}

describe('calibrateScrypt', () => {
  it('picks the largest power-of-two N whose estimated time fits the target', async () => {
    const m = fakeMachine(50); // 2^17 -> 400 ms, 2^18 -> 800 ms
    expect(await calibrateScrypt(m.provider, { now: m.now })).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    expect(await calibrateScrypt(m.provider, { now: m.now, targetMs: 1000 })).toEqual({
      N: 2 ** 18,
      r: 8,
      p: 1,
    });
    expect(m.seen.every((p) => p.N === 2 ** 14 && p.r === 8 && p.p === 1)).toBe(true);
  });

  it('never goes below 2^15 on a slow machine', async () => {
    const m = fakeMachine(5000);
    expect((await calibrateScrypt(m.provider, { now: m.now })).N).toBe(MIN_CALIBRATED_N);
  });

  it('stays within the memory budget on a fast machine', async () => {
    const m = fakeMachine(0.01);
    expect((await calibrateScrypt(m.provider, { now: m.now })).N).toBe(2 ** 18); // default 256 MiB budget
    const capped = await calibrateScrypt(m.provider, { now: m.now, maxMemoryBytes: 64 * 2 ** 20 + 2 ** 20 });
    expect(capped.N).toBe(2 ** 16);
    const huge = await calibrateScrypt(m.provider, { now: m.now, maxMemoryBytes: 2 ** 40, targetMs: 1e9 });
    expect(huge.N).toBe(2 ** 22);
  });

  it('rejects impossible options', async () => {
    const m = fakeMachine(50);
    await expect(calibrateScrypt(m.provider, { maxMemoryBytes: 2 ** 20 })).rejects.toThrow(RangeError);
    await expect(calibrateScrypt(m.provider, { targetMs: 0 })).rejects.toThrow(RangeError);
    await expect(calibrateScrypt(m.provider, { targetMs: Number.NaN })).rejects.toThrow(RangeError);
  });

  it('returns well-formed parameters on the real native provider', async () => {
    const params = await calibrateScrypt(nativeCrypto, { targetMs: 1 });
    expect(params.N).toBeGreaterThanOrEqual(MIN_CALIBRATED_N);
    expect(params.N & (params.N - 1)).toBe(0);
    expect(params).toMatchObject({ r: 8, p: 1 });
  });
});
