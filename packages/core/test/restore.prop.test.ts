import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backup, initRepository, memoryTransport, type RestoreTarget, restore } from '../src/index';
import { type MemTree, memSource, memTarget, prng } from './helpers/trees';

// Each run makes a repository and a backup: a quarter of the global count (still more in CI).
const numRuns = Math.max(10, Math.floor((fc.readConfigureGlobal().numRuns ?? 60) / 4));
const SCRYPT = { N: 1024, r: 8, p: 1 };
const SMALL = { minSize: 1024, avgSize: 4096, maxSize: 16384 };

// Contents from a small pool (so files repeat and blobs are shared) or fresh pseudo-random bytes.
const pool = [new Uint8Array(0), prng(700, 1), prng(9000, 2), new Uint8Array(5000)];
const content = fc.oneof(
  fc.integer({ min: 0, max: pool.length - 1 }).map((i) => pool[i]!),
  fc.record({ size: fc.integer({ min: 1, max: 40_000 }), seed: fc.nat() }).map((r) => prng(r.size, r.seed)),
);
const name = fc.constantFrom('a', 'b', 'c', 'dir', 'file.txt', 'ü ✓', '.hidden', 'z-1');
const tree: fc.Arbitrary<MemTree> = fc.letrec<{ dir: MemTree }>((t) => ({
  dir: fc.dictionary(name, fc.oneof({ depthSize: 'small', withCrossShrink: true }, content, t('dir')), {
    maxKeys: 5,
  }),
})).dir;

/** Paths of every entry, directories ending in '/'. */
function paths(t: MemTree, prefix = ''): string[] {
  return Object.entries(t).flatMap(([k, v]) =>
    v instanceof Uint8Array ? [prefix + k] : [`${prefix + k}/`, ...paths(v as MemTree, `${prefix + k}/`)],
  );
}

describe('restore (properties)', () => {
  it('round-trips any tree at any concurrency, finishing each directory after everything below it', async () => {
    await fc.assert(
      fc.asyncProperty(tree, fc.integer({ min: 1, max: 8 }), async (t, concurrency) => {
        const repo = await initRepository(memoryTransport(), {
          password: 'pw',
          scrypt: SCRYPT,
          chunker: SMALL,
          packSize: 1 << 16,
        });
        await backup(repo, memSource({ root: t }));
        const all = ['root/', ...paths(t, 'root/')];
        const mem = memTarget();
        const done: string[] = [];
        const target: RestoreTarget = {
          ...mem.target,
          async file(path, node, chunks) {
            await new Promise<void>((r) => setImmediate(r));
            await mem.target.file(path, node, chunks);
            done.push(path.join('/'));
          },
          async finishDir(path) {
            const p = `${path.join('/')}/`;
            // Every file and directory below it is done by now.
            expect(done.filter((d) => d.startsWith(p)).sort()).toEqual(
              all.filter((q) => q.startsWith(p) && q !== p).sort(),
            );
            done.push(p);
          },
        };
        await restore(repo, 'latest', target, { concurrency });
        expect(mem.root).toEqual({ root: t });
        expect(done.sort()).toEqual(all.sort());
      }),
      { numRuns },
    );
    // 50 repositories in CI (each an scrypt and a backup): about 20 s on an idle 2-core machine.
  }, 180_000);
});
