import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTree, encodeTree } from '../src/format/index';
import { KluisError, type TreeNode } from '../src/index';
import { isPlainTree, isSafeName, KEYS, treeSchema } from '../src/repo/format/tree';

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const count = fc.oneof(fc.nat(), fc.constantFrom(0, 2 ** 32, Number.MAX_SAFE_INTEGER));
const time = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.nat());
const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter(isSafeName);

const node: fc.Arbitrary<TreeNode> = fc
  .record(
    {
      name,
      type: fc.constantFrom('file', 'dir', 'symlink') as fc.Arbitrary<TreeNode['type']>,
      mode: fc.integer({ min: 0, max: 0o7777 }),
      mtime: time,
      size: count,
      content: fc.array(hex64, { maxLength: 4 }),
      subtree: hex64,
      target: fc.string({ maxLength: 40 }),
      uid: count,
      gid: count,
      user: fc.string({ maxLength: 10 }),
      group: fc.string({ maxLength: 10 }),
      inode: count,
      ctime: time,
    },
    { requiredKeys: ['name', 'type', 'mode', 'mtime', 'size'] },
  )
  .map((n) => {
    const { content, subtree, target, ...rest } = n;
    if (n.type === 'file') return { ...rest, content: content ?? [] };
    if (n.type === 'dir') return { ...rest, subtree: subtree ?? '0'.repeat(64) };
    return { ...rest, target: target ?? 'x' };
  });

const nodes = fc.uniqueArray(node, { selector: (n) => n.name, maxLength: 8 });

/** The tree's JSON value, as decodeTree sees it after JSON.parse. */
const jsonOf = (list: TreeNode[]) =>
  JSON.parse(new TextDecoder().decode(encodeTree(list))) as { nodes: Record<string, unknown>[] };
const bytesOf = (json: unknown) => new TextEncoder().encode(JSON.stringify(json));

/** What decodeTree answers, by the schema alone (the behaviour before the quick check). */
function bySchema(json: unknown): { nodes?: unknown; error?: string } {
  const r = treeSchema.safeParse(json);
  if (!r.success) return { error: 'INVALID_DATA' };
  const list = r.data.nodes;
  for (let i = 1; i < list.length; i++)
    if (!(list[i - 1]!.name < list[i]!.name)) return { error: 'INVALID_DATA' };
  return { nodes: list };
}

function byDecodeTree(json: unknown): { nodes?: unknown; error?: string } {
  try {
    return { nodes: decodeTree(bytesOf(json)) };
  } catch (e) {
    if (!KluisError.is(e)) throw e;
    return { error: e.code };
  }
}

/** One change that may make a valid tree invalid (or leave it valid). */
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    field: fc.constantFrom(...KEYS, 'extra', '__proto__'),
    value: fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      count,
      fc.constantFrom(
        -1,
        0.5,
        2 ** 53,
        Number.POSITIVE_INFINITY,
        null,
        '',
        '.',
        '..',
        'a/b',
        'a\\b',
        'a\0b',
        'f'.repeat(64),
        'F'.repeat(64),
        'x'.repeat(4097),
        '😀'.repeat(4096),
        '😀'.repeat(4097),
        'u'.repeat(257),
        '😀'.repeat(256),
        0o10000,
      ),
    ),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    field: fc.constantFrom('name', 'type', 'mode', 'mtime', 'size', 'content', 'subtree', 'target'),
  }),
  fc.record({ kind: fc.constant('root' as const), value: fc.jsonValue({ maxDepth: 2 }) }),
);

describe('decodeTree', () => {
  it('round-trips every tree encodeTree writes, through the quick check', () => {
    fc.assert(
      fc.property(nodes, (list) => {
        const json = jsonOf(list);
        expect(isPlainTree(json)).toBe(true);
        expect(decodeTree(encodeTree(list))).toEqual(bySchema(json).nodes);
      }),
      { numRuns: 300 },
    );
  });

  it('answers exactly as the schema does for mutated trees, and the quick check never accepts more', () => {
    fc.assert(
      fc.property(
        nodes,
        fc.array(fc.tuple(fc.nat(), mutation), { minLength: 1, maxLength: 3 }),
        (list, changes) => {
          let json: unknown = jsonOf(list);
          for (const [at, m] of changes) {
            const tree = json as { nodes?: unknown };
            if (m.kind === 'root') {
              json =
                typeof m.value === 'object' && m.value !== null && !Array.isArray(m.value) && at % 2 === 0
                  ? { ...tree, ...m.value }
                  : m.value;
              continue;
            }
            const all = Array.isArray(tree?.nodes) ? (tree.nodes as Record<string, unknown>[]) : [];
            const target = all.length > 0 ? all[at % all.length] : undefined;
            if (!target || typeof target !== 'object') continue;
            if (m.kind === 'delete') delete target[m.field];
            else if (m.field === '__proto__')
              Object.defineProperty(target, '__proto__', {
                value: m.value,
                enumerable: true,
                configurable: true,
                writable: true,
              });
            else target[m.field] = m.value;
          }
          // JSON.stringify and parse again: decodeTree only ever sees what JSON.parse makes.
          const parsed = JSON.parse(JSON.stringify(json) ?? 'null') as unknown;
          if (isPlainTree(parsed)) expect(treeSchema.safeParse(parsed).success).toBe(true);
          expect(byDecodeTree(parsed)).toEqual(bySchema(parsed));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('leaves the cases the quick check does not count exactly to the schema', () => {
    const file = { name: 'a', type: 'file', mode: 0o644, mtime: 0, size: 0, content: [] };
    // 4,096 code points, 8,192 UTF-16 units: the schema counts code points and accepts it.
    const emoji = { ...file, name: '😀'.repeat(4096) };
    expect(isPlainTree({ nodes: [emoji] })).toBe(false);
    expect(decodeTree(bytesOf({ nodes: [emoji] }))[0]!.name).toBe(emoji.name);
    const long = { ...file, name: '😀'.repeat(4097) };
    expect(() => decodeTree(bytesOf({ nodes: [long] }))).toThrow(/too big|4096/i);
    for (const bad of [
      { ...file, content: null },
      { ...file, extra: 1 },
      { ...file, name: '..' },
      { ...file, size: 2 ** 53 },
      { ...file, mode: 0o10000 },
      { ...file, type: 'dir' },
      JSON.parse('{"name":"a","type":"file","mode":0,"mtime":0,"size":0,"content":[],"__proto__":{}}'),
    ]) {
      expect(isPlainTree({ nodes: [bad] })).toBe(false);
      expect(byDecodeTree({ nodes: [bad] })).toEqual({ error: 'INVALID_DATA' });
    }
    // JSON numbers too large for a double parse to Infinity: not a finite mtime.
    const huge = '{"nodes":[{"name":"a","type":"file","mode":0,"mtime":1e400,"size":0,"content":[]}]}';
    expect(isPlainTree(JSON.parse(huge))).toBe(false);
    expect(() => decodeTree(new TextEncoder().encode(huge))).toThrow(KluisError);
    expect(() => decodeTree(bytesOf({ nodes: [{ ...file, name: 'b' }, file] }))).toThrow(
      /not strictly sorted/,
    );
  });
});
