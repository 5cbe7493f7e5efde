import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkJsonBounds } from '../src/_json-bounds';
import { parseKeySlot } from '../src/crypto/index';
import { decodeSnapshot, decodeTree } from '../src/format/index';
import { initRepository, KluisError, openRepository } from '../src/index';
import { localTransport, nativeCrypto } from '../src/node/index';

const utf8 = (s: string) => new TextEncoder().encode(s);
const nested = (bytes: number) => utf8('['.repeat(bytes / 2) + ']'.repeat(bytes / 2));

/** The nesting depth of a JSON value: 0 for a scalar. */
function depth(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const children = Array.isArray(v) ? v : Object.values(v);
  return 1 + children.reduce<number>((m, c) => Math.max(m, depth(c)), 0);
}

describe('JSON read from storage is bounded before it is parsed', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'kluis-json-'));
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it('a 10 MB nested-array config fails with a typed one-line error, before it is parsed', async () => {
    const root = join(base, 'repo');
    const t = localTransport({ root });
    await initRepository(t, { password: 'pw', crypto: nativeCrypto, scrypt: { N: 1024, r: 8, p: 1 } });
    await writeFile(join(root, 'config'), nested(10 << 20));
    const e = await openRepository(t, { password: 'pw', crypto: nativeCrypto }).catch((x: unknown) => x);
    expect(KluisError.is(e, 'INVALID_DATA')).toBe(true);
    expect((e as Error).message).toBe(
      'config is 10485760 bytes, more than the 65536 it can be (damaged or not written by kluis)',
    );
    // Small but deep: refused at the first bracket too deep, not after building the arrays.
    await writeFile(join(root, 'config'), nested(60_000));
    await expect(openRepository(t, { password: 'pw', crypto: nativeCrypto })).rejects.toThrow(
      /^config nests arrays or objects deeper than 8 levels at byte 8 \(/,
    );
  });

  it('key slots, snapshots and trees are bounded too', () => {
    expect(() => parseKeySlot(nested(100_000))).toThrow(/^key slot is 100000 bytes, more than the 65536/);
    expect(() => parseKeySlot('{"a":[[[[[]]]]]}')).toThrow(/^key slot nests .* deeper than 4 levels/);
    expect(() => decodeSnapshot(nested(10 << 20), 'snapshots/ab')).toThrow(
      /^snapshots\/ab nests arrays or objects deeper than 8 levels at byte 8 /,
    );
    expect(() => decodeTree(nested(10 << 20), 'tree cd')).toThrow(/^tree cd nests .* at byte 8 /);
    // Brackets inside strings are text, escaped quotes do not end a string.
    const deepText = JSON.stringify({ nodes: [], x: `\\"${'['.repeat(100)}` });
    expect(() => checkJsonBounds(utf8(deepText), { maxBytes: 1000, maxDepth: 2 }, 'x')).not.toThrow();
  });

  it('accepts exactly the JSON within its depth and size (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 7 }), (value, maxDepth) => {
        const bytes = utf8(JSON.stringify(value));
        const ok = depth(value) <= maxDepth;
        const run = () => checkJsonBounds(bytes, { maxBytes: bytes.length, maxDepth }, 'v');
        if (ok) expect(run).not.toThrow();
        else expect(run).toThrow(KluisError);
        expect(() => checkJsonBounds(bytes, { maxBytes: bytes.length - 1, maxDepth: 99 }, 'v')).toThrow(
          /bytes, more than/,
        );
      }),
    );
  });
});
