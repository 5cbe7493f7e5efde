import { describe, expect, it } from 'vitest';
import { ERROR_CODES, IntegrityError, KluisError, ValidationError } from '../src/index';

describe('KluisError', () => {
  it('has unique codes that equal their keys', () => {
    const codes = Object.keys(ERROR_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^[A-Z_]+$/);
  });

  it('is recognised by KluisError.is across copies (Symbol.for marker, not instanceof)', () => {
    const e = new KluisError('NOT_FOUND', 'x');
    expect(KluisError.is(e)).toBe(true);
    expect(KluisError.is(e, 'NOT_FOUND')).toBe(true);
    expect(KluisError.is(e, 'INTEGRITY', 'AUTH')).toBe(false);
    const foreign = Object.assign(new Error('y'), { code: 'NOT_FOUND' });
    Object.defineProperty(foreign, Symbol.for('kluis.error'), { value: true });
    expect(KluisError.is(foreign, 'NOT_FOUND')).toBe(true);
    expect(KluisError.is(new Error('z'))).toBe(false);
    expect(KluisError.is(null)).toBe(false);
    expect(KluisError.is('NOT_FOUND')).toBe(false);
  });

  it('takes retryable from the code unless overridden', () => {
    expect(new KluisError('UNAVAILABLE', 'x').retryable).toBe(true);
    expect(new KluisError('AUTH', 'x').retryable).toBe(false);
    expect(new KluisError('UNAVAILABLE', 'x', { retryable: false }).retryable).toBe(false);
  });

  it('subclasses carry their fields and stay KluisErrors', () => {
    const i = new IntegrityError('data/ab', 'ab', 'cd');
    expect(KluisError.is(i, 'INTEGRITY')).toBe(true);
    expect(i.key).toBe('data/ab');
    expect(i.message).toContain('data/ab');
    const v = new ValidationError('config', [{ path: ['chunker', 'avg'], message: 'too small' }]);
    expect(v.code).toBe('INVALID_DATA');
    expect(v.message).toBe('invalid config: chunker.avg: too small');
  });
});
