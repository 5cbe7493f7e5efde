import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fsTarget } from '../src/node/index';
import type { TreeNode } from '../src/repo/format/tree';
import { prng } from './helpers/trees';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-target-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const MTIME = 1_650_000_000_250;
const file = (size: number, mode = 0o640): TreeNode => ({
  name: 'f',
  type: 'file',
  mode,
  mtime: MTIME,
  size,
});
async function* from(parts: Uint8Array[]) {
  yield* parts;
}
const joined = (parts: Uint8Array[]) => Buffer.concat(parts);

describe('fsTarget files', () => {
  it.each([
    ['small', [prng(3000, 1), prng(100, 2)]],
    ['small ending in a hole', [prng(5000, 3), new Uint8Array(8192)]],
    ['large, streamed', [prng(700_000, 4), prng(700_000, 5), new Uint8Array(4096), prng(10, 6)]],
    ['large ending in a hole', [prng(1_200_000, 7), new Uint8Array(65536)]],
    ['empty', []],
  ])('writes a %s file with its mode and mtime', async (_, parts) => {
    const t = fsTarget(join(dir, 'out'));
    const size = parts.reduce((n, p) => n + p.length, 0);
    await t.dir(['d'], { name: 'd', type: 'dir', mode: 0o755, mtime: 0, size: 0 });
    await t.file(['d', 'f'], file(size), from(parts));
    const p = join(dir, 'out', 'd', 'f');
    expect((await readFile(p)).equals(joined(parts))).toBe(true);
    const st = await stat(p);
    expect(st.mode & 0o7777).toBe(0o640);
    expect(st.mtimeMs).toBeCloseTo(MTIME, 0);
  });

  it('replaces a longer file that is already there, and keeps modes when asked not to restore them', async () => {
    const out = join(dir, 'out');
    const t = fsTarget(out, { modes: false });
    await t.dir(['d'], { name: 'd', type: 'dir', mode: 0o700, mtime: 0, size: 0 });
    await writeFile(join(out, 'd', 'f'), prng(50_000, 9));
    const before = (await stat(join(out, 'd', 'f'))).mode;
    await t.file(['d', 'f'], file(4, 0o777), from([new Uint8Array([1, 2, 3, 4])]));
    expect(await readFile(join(out, 'd', 'f'))).toEqual(Buffer.from([1, 2, 3, 4]));
    expect((await stat(join(out, 'd', 'f'))).mode).toBe(before);
  });

  it('applies a directory’s mode and mtime in finishDir, and accepts a directory that exists', async () => {
    const out = join(dir, 'out');
    const t = fsTarget(out);
    const node: TreeNode = { name: 'd', type: 'dir', mode: 0o750, mtime: MTIME, size: 0 };
    await t.dir(['d'], node);
    await t.dir(['d'], node);
    await t.file(['d', 'f'], file(1), from([new Uint8Array([7])]));
    await t.finishDir?.(['d'], node);
    const st = await stat(join(out, 'd'));
    expect(st.mode & 0o7777).toBe(0o750);
    expect(st.mtimeMs).toBeCloseTo(MTIME, 0);
  });
});
