// Properties of the restore page's parsing and progress helpers.
import { globMatcher } from '@kluis/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatBytes, normaliseRepoPath, Rate, searchPattern } from '../restore-page/src/format.ts';

describe('restore page helpers (properties)', () => {
  it('a cleaned repository path has no slash at either end and is stable', () => {
    fc.assert(
      fc.property(fc.string(), (input) => {
        const p = normaliseRepoPath(input);
        expect(p.startsWith('/') || p.endsWith('/')).toBe(false);
        expect(normaliseRepoPath(p)).toBe(p);
      }),
    );
  });

  it('a search word finds every name that contains it, in any case, in any folder', () => {
    const plain = fc.string().filter((s) => !/[*?[\]\\/]/.test(s));
    fc.assert(
      fc.property(
        plain.filter((s) => s.trim() !== ''),
        plain,
        plain,
        fc.boolean(),
        (word, before, after, upper) => {
          const name = `${before}${upper ? word.toUpperCase() : word}${after}`;
          const match = globMatcher(searchPattern(word), { ignoreCase: true });
          expect(match(`home/docs/${name}`)).toBe(true);
        },
      ),
    );
  });

  it('sizes never lose their unit and grow with the number', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 50 }), (n) => {
        expect(formatBytes(n)).toMatch(/^\d+(\.\d+)? (B|KiB|MiB|GiB|TiB)$/);
      }),
    );
  });

  it('the time left at a steady rate is what remains divided by that rate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 2, max: 50 }), (perTick, ticks) => {
        const r = new Rate(1e9);
        for (let i = 0; i <= ticks; i++) r.add(i * 100, i * perTick);
        const done = ticks * perTick;
        expect(r.bytesPerSecond).toBeCloseTo(perTick * 10, 6);
        expect(r.secondsLeft(done, done * 2)).toBeCloseTo(done / (perTick * 10), 6);
      }),
    );
  });
});
