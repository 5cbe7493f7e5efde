import { describe, expect, it } from 'vitest';
import { hex } from '../src/_bytes';
import { DirTracker } from '../src/repo/restore/_dirs';
import { type FileJob, ReadPlanner } from '../src/repo/restore/_plan';
import type { BlobLocation } from '../src/repo/store/blob-index';

const packA = new Uint8Array(32).fill(1);
const packB = new Uint8Array(32).fill(2);
const blobs = new Map<string, BlobLocation>();
function blob(n: number, pack: Uint8Array, offset: number, length: number): string {
  const id = new Uint8Array(32);
  id[0] = n;
  blobs.set(hex(id), { id, type: 'data', pack, offset, length, rawLength: length, codec: 0 });
  return hex(id);
}
const index = { get: (id: Uint8Array) => blobs.get(hex(id)) };
const root = new DirTracker(async () => {}).root;
const file = (name: string, content: string[]): FileJob => ({
  path: [name],
  node: { name, type: 'file', mode: 0o644, mtime: 0, size: 0, content },
  dir: root,
});

describe('ReadPlanner', () => {
  it('groups files of one pack region in any order, and starts a new read at another pack or a far region', () => {
    const a = blob(1, packA, 1000, 500);
    const b = blob(2, packA, 0, 1000);
    const c = blob(3, packA, 1500, 200);
    const far = blob(4, packA, 5_000_000, 100);
    const other = blob(5, packB, 0, 100);
    const p = new ReadPlanner(index, 8 << 20);
    expect(p.add(file('x', [a]))).toEqual([]);
    expect(p.add(file('y', [c, b]))).toEqual([]);
    expect(p.add(file('empty', []))).toEqual([]);
    const [first] = p.add(file('z', [far]));
    expect(first).toMatchObject({ kind: 'run', offset: 0, length: 1700 });
    expect(first?.kind === 'run' && first.files.map((f) => f.job.path[0])).toEqual(['x', 'y', 'empty']);
    expect(p.add(file('w', [other]))).toMatchObject([{ kind: 'run', offset: 5_000_000, length: 100 }]);
    expect(p.flush()).toMatchObject([{ kind: 'run', key: `data/${hex(packB)}`, offset: 0, length: 100 }]);
    expect(p.flush()).toEqual([]);
  });

  it('streams a file whose blobs are in several packs, too spread out, or missing', () => {
    const p = new ReadPlanner(index, 8 << 20);
    const twoPacks = [blob(6, packA, 0, 10), blob(7, packB, 10, 10)];
    const spread = [blob(8, packA, 0, 10), blob(9, packA, 7_000_000, 10)];
    for (const content of [twoPacks, spread, ['00'.repeat(32)]]) {
      expect(p.add(file('s', content))).toMatchObject([{ kind: 'stream' }]);
    }
  });
});
