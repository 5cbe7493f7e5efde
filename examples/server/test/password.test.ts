import { describe, expect, it } from 'vitest';
import { hashParams, hashPassword, verifyPassword } from '../src/password.ts';

const FAST = { N: 1024, r: 8, p: 1 };

describe('password hashes', () => {
  it('verify the right password and refuse others', async () => {
    const stored = await hashPassword('correct horse', FAST);
    expect(stored).toMatch(/^\$scrypt\$N=1024,r=8,p=1\$/);
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct hors', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salt every hash and record its parameters', async () => {
    const a = await hashPassword('same', FAST);
    const b = await hashPassword('same', FAST);
    expect(a).not.toBe(b);
    expect(hashParams(a)).toEqual(FAST);
  });

  it('treat a malformed stored hash as a mismatch', async () => {
    expect(await verifyPassword('x', 'plaintext')).toBe(false);
  });

  it('normalise Unicode so equivalent spellings match', async () => {
    const stored = await hashPassword('caf\u00e9', FAST);
    expect(await verifyPassword('cafe\u0301', stored)).toBe(true);
  });

  it('refuse unsafe parameters', async () => {
    await expect(hashPassword('x', { N: 1000, r: 8, p: 1 })).rejects.toThrow(/power of two/);
  });
});
