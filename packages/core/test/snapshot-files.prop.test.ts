import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  backup,
  dumpTar,
  fileContent,
  findFiles,
  findPath,
  initRepository,
  memoryTransport,
  type Repository,
  streamSource,
  tagSnapshots,
} from '../src/index';
import { type MemTree, memSource } from './helpers/trees';

const exec = promisify(execFile);
let repo: Repository;
beforeAll(async () => {
  repo = await initRepository(memoryTransport(), { password: 'pw', scrypt: { N: 1024, r: 8, p: 1 } });
});
const concat = async (parts: AsyncIterable<Uint8Array>) => {
  const out: Uint8Array[] = [];
  for await (const p of parts) out.push(p.slice());
  return new Uint8Array(Buffer.concat(out));
};

describe('properties', () => {
  it('streamSource: any bytes cut into any pieces come back from fileContent byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 40_000 }), { maxLength: 8 }), async (pieces) => {
        async function* stream() {
          for (const p of pieces) yield p;
        }
        const { snapshot } = await backup(repo, streamSource('s.bin', stream()));
        const node = await findPath(repo, snapshot.tree, 's.bin');
        const expected = new Uint8Array(Buffer.concat(pieces));
        expect(node?.size).toBe(expected.length);
        expect(await concat(fileContent(repo, node!))).toEqual(expected);
      }),
      { numRuns: 20 },
    );
  });

  it('dumpTar: any small tree extracts with GNU tar to the files it holds; findFiles("*") lists them all', async () => {
    const name = fc
      .stringMatching(/^[a-zA-Z0-9_ .é✓-]{1,12}$/)
      .filter((n) => n !== '.' && n !== '..' && !n.startsWith('-'));
    const tree: fc.Arbitrary<MemTree> = fc.letrec<{ dir: MemTree }>((tie) => ({
      dir: fc.dictionary(name, fc.oneof({ maxDepth: 3 }, fc.uint8Array({ maxLength: 3000 }), tie('dir')), {
        maxKeys: 4,
      }),
    })).dir;
    await fc.assert(
      fc.asyncProperty(tree, async (t) => {
        const { id, snapshot } = await backup(repo, memSource({ root: t }));
        const dir = await mkdtemp(join(tmpdir(), 'kluis-dumpprop-'));
        try {
          await writeFile(
            join(dir, 'a.tar'),
            await concat(dumpTar(repo, (await findPath(repo, snapshot.tree, 'root'))!)),
          );
          await exec('tar', ['-xf', join(dir, 'a.tar'), '-C', dir]);
          const files: string[] = [];
          const check = async (node: MemTree, at: string) => {
            files.push(at);
            for (const [n, v] of Object.entries(node)) {
              if (v instanceof Uint8Array) {
                files.push(`${at}/${n}`);
                expect(new Uint8Array(await readFile(join(dir, at, n)))).toEqual(v);
              } else await check(v as MemTree, `${at}/${n}`);
            }
          };
          await check(t, 'root');
          const found: string[] = [];
          for await (const f of findFiles(repo, '*', { snapshots: [{ id, snapshot }] })) found.push(f.path);
          expect(found.sort()).toEqual(files.sort());
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 15 },
    );
  });

  it('tagSnapshots: tags become (set ?? old) + add − remove, each once, and the old ID is gone', async () => {
    const tag = fc.constantFrom<string>('a', 'b', 'c', 'daily', 'keep');
    const tags = fc.array(tag, { maxLength: 4 });
    const change = fc.record({ add: tags, remove: tags, set: fc.option(tags, { nil: undefined }) });
    const { id: first } = await backup(repo, memSource({ f: new Uint8Array(3) }), { tags: ['a'] });
    let current = first;
    let model = ['a'];
    await fc.assert(
      fc.asyncProperty(change, async (c) => {
        fc.pre(c.add.length + c.remove.length > 0 || c.set !== undefined);
        const [r] = await tagSnapshots(repo, [current], {
          add: c.add,
          remove: c.remove,
          ...(c.set === undefined ? {} : { set: c.set }),
        });
        const expected = [...new Set([...(c.set ?? model), ...c.add])].filter((t) => !c.remove.includes(t));
        expect(r!.tags).toEqual(expected);
        const ids = (await repo.snapshots.list()).map((s) => s.id);
        expect(ids).toContain(r!.to);
        if (r!.to !== current) expect(ids).not.toContain(current);
        const stored = await repo.snapshots.load(r!.to);
        expect(stored.snapshot.tags).toEqual(expected);
        if (r!.to !== first) expect(stored.snapshot.original).toBe(first);
        current = r!.to;
        model = expected;
      }),
      { numRuns: 30 },
    );
  });
});
