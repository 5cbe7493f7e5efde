// The browser bundle of the smallest backup + restore program stays small: ceilings at the
// measured size + ~10 % (npm run bench -- bundle prints the figures; docs/benchmarks.md has them).
// And the switch to zod/mini kept zod's messages: a bad field reads as it did.
import { describe, expect, it } from 'vitest';
import { measureBundle } from '../bench/_bundle-size';
import { decodeConfig, encodeConfig } from '../src/format/index';
import { ValidationError } from '../src/index';

const KiB = 1024;

describe('browser bundle of backup + restore', () => {
  it('stays under its ceilings, with zod a small part of it', async () => {
    const { minified, gzip, bySource } = await measureBundle();
    // Measured: 205.4 KiB minified, 79.5 KiB gzip, zod 27.2 KiB (with full zod: 621.8, 162.2, 443.4).
    expect(minified).toBeLessThan(225 * KiB);
    expect(gzip).toBeLessThan(88 * KiB);
    expect(bySource.zod).toBeLessThan(30 * KiB);
    // Nothing of Node and no retention or transport package comes with it.
    expect(Object.keys(bySource).filter((s) => s.startsWith('node:') || s === '@kluis/retention')).toEqual(
      [],
    );
  });
});

describe('validation with zod/mini', () => {
  const good = {
    version: 1,
    id: 'a'.repeat(64),
    created: '2026-01-02T03:04:05.000Z',
    aead: 'xchacha20-poly1305',
    chunker: { minSize: 16384, avgSize: 65536, maxSize: 262144 },
    compression: 'deflate-raw',
    packSize: 1 << 24,
    mac: 'b'.repeat(64),
  } as const;
  const issues = (value: unknown) => {
    try {
      decodeConfig(new TextEncoder().encode(JSON.stringify(value)));
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      return (e as ValidationError).issues;
    }
    return expect.unreachable('the config validated');
  };

  it('accepts a good config and names each bad field with zod’s English message', () => {
    expect(decodeConfig(encodeConfig(good))).toEqual(good);
    expect(issues({ ...good, packSize: 1000, aead: 'aes', extra: 1 })).toEqual([
      { path: ['aead'], message: 'Invalid input: expected "xchacha20-poly1305"' },
      { path: ['packSize'], message: 'Too small: expected number to be >=65536' },
      { path: [], message: 'Unrecognized key: "extra"' },
    ]);
    expect(issues({ ...good, chunker: { minSize: 100, avgSize: 64, maxSize: 2048 } })).toEqual([
      { path: ['chunker', 'avgSize'], message: 'Too small: expected number to be >=256' },
      { path: ['chunker'], message: 'need minSize < avgSize < maxSize' },
      {
        path: ['chunker'],
        message: 'not parameters the FastCDC chunker accepts (avgSize a power of two, minSize even)',
      },
    ]);
  });
});
