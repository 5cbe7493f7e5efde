import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertKey, KluisError, memoryTransport } from '../src/index';
import {
  CONFIG_KEY,
  kindPrefix,
  OBJECT_KINDS,
  type ObjectKind,
  objectKey,
  objectName,
  parseObjectKey,
} from '../src/repo/format/layout';

const kind = fc.constantFrom(...OBJECT_KINDS);
/** A name as the engine makes them (hex IDs), or any other one key segment. */
const name = fc.oneof(
  fc.stringMatching(/^[0-9a-f]{64}$/),
  fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,80}$/),
);

/** Runs `f` and returns the code of the KluisError it throws (or fails the test). */
function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(KluisError.is(e)).toBe(true);
    return (e as KluisError).code;
  }
  throw new Error('expected a KluisError');
}

describe('repository layout', () => {
  it('parse(build(kind, name)) gives the kind and name back, and the key is a valid transport key', () => {
    fc.assert(
      fc.property(kind, name, (k, n) => {
        const key = objectKey(k, n);
        expect(key).toBe(`${kindPrefix(k)}${n}`);
        expect(parseObjectKey(key)).toEqual({ kind: k, name: n });
        expect(objectName(k, key)).toBe(n);
        expect(() => assertKey(key)).not.toThrow();
      }),
    );
  });

  it('config is the one key outside the folders', () => {
    expect(parseObjectKey(CONFIG_KEY)).toEqual({ kind: 'config' });
    for (const k of OBJECT_KINDS) expect(codeOf(() => objectName(k, CONFIG_KEY))).toBe('INVALID_DATA');
  });

  it('rejects every key that is not <kind>/<one segment> or config with INVALID_DATA', () => {
    const fixed = [
      '',
      'config/',
      'config/x',
      'data',
      'data/',
      'data/a/b',
      'data/.hidden',
      'data/..',
      '/data/ab',
      'Data/ab',
      'tree/ab',
      'index//ab',
      `data/${'a'.repeat(1020)}`,
    ];
    for (const key of fixed) expect(codeOf(() => parseObjectKey(key))).toBe('INVALID_DATA');
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (key) => {
        const slash = key.indexOf('/');
        const valid =
          key === CONFIG_KEY ||
          ((OBJECT_KINDS as readonly string[]).includes(key.slice(0, slash)) &&
            /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(key.slice(slash + 1)));
        if (valid) expect(() => parseObjectKey(key)).not.toThrow();
        else expect(codeOf(() => parseObjectKey(key))).toBe('INVALID_DATA');
      }),
    );
  });

  it('objectName refuses a key of another folder', () => {
    fc.assert(
      fc.property(kind, kind, name, (a, b, n) => {
        fc.pre(a !== b);
        expect(codeOf(() => objectName(b, objectKey(a, n)))).toBe('INVALID_DATA');
      }),
    );
  });

  it('objectKey refuses a name that is not one key segment with a TypeError, as assertKey does', () => {
    for (const bad of ['', 'a/b', '.x', '..', 'x y', 'a'.repeat(1020)]) {
      expect(() => objectKey('data', bad)).toThrow(TypeError);
    }
    expect(() => objectKey('trees' as ObjectKind, 'ab')).toThrow(TypeError);
  });

  it('lists back under kindPrefix exactly the names written with objectKey', async () => {
    const transport = memoryTransport();
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.tuple(kind, name), { maxLength: 12 }), async (objects) => {
        for (const [k, n] of objects) await transport.put(objectKey(k, n), new Uint8Array([1]));
        for (const k of OBJECT_KINDS) {
          const listed: string[] = [];
          for await (const o of transport.list(kindPrefix(k))) listed.push(objectName(k, o.key));
          const written = [...new Set(objects.filter(([j]) => j === k).map(([, n]) => n))];
          expect(listed.sort()).toEqual(written.sort());
        }
        for (const [k, n] of objects) await transport.delete(objectKey(k, n));
      }),
      { numRuns: 30 },
    );
  });
});
