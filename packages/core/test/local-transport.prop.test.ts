import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertKey } from '../src/index';
import { diskSegments, keyOf } from '../src/node/_local-transport-fs';

const segment = fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,6}$/);
const key = fc.oneof(
  fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/')),
  fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => ['data', ...s].join('/')),
);

describe('local transport key ↔ path mapping', () => {
  it('maps every valid key to a path that maps back to it', () => {
    fc.assert(
      fc.property(key, (k) => {
        assertKey(k);
        const disk = diskSegments(k.split('/'));
        expect(keyOf(disk)).toBe(k);
        for (const s of disk) expect(s.startsWith('.')).toBe(false);
      }),
    );
  });

  it('never maps two keys to one path', () => {
    fc.assert(
      fc.property(key, key, (a, b) => {
        fc.pre(a !== b);
        expect(diskSegments(a.split('/')).join('/')).not.toBe(diskSegments(b.split('/')).join('/'));
      }),
    );
  });
});
