import type { Repository } from '../../src/index';
import { type MemTree, prng } from './trees';

export const SCRYPT = { N: 1024, r: 8, p: 1 };
export const SMALL = { minSize: 1024, avgSize: 4096, maxSize: 16384 };

/** Seeded pseudo-text: compressible, so blobs are stored compressed. */
export function pseudoText(length: number, seed: number): Uint8Array {
  const words = [
    'backup',
    'restore',
    'chunk',
    'pack',
    'index',
    'tree',
    'blob',
    'zstd',
    'deflate',
    'the',
    'of',
  ];
  const noise = prng(length, seed);
  let s = '';
  for (let i = 0; s.length < length; i++)
    s += `${words[noise[i]! % words.length]}${noise[i]! % 7 === 0 ? '\n' : ' '}`;
  return new TextEncoder().encode(s.slice(0, length));
}

/** The tree both runtimes back up and compare against: text (compressed), random (stored as is). */
export function codecTree(): MemTree {
  return {
    docs: { 'a.txt': pseudoText(300_000, 1), 'b.md': pseudoText(40_000, 2), empty: new Uint8Array(0) },
    media: { 'clip.bin': prng(120_000, 3) },
  };
}

/** How many stored blobs use each codec id, from the repository's index files. */
export async function codecCounts(repo: Repository): Promise<Record<number, number>> {
  const counts: Record<number, number> = {};
  for await (const o of repo.transport.list('index/')) {
    const file = await repo.blobs.readIndexFile(o.key.slice('index/'.length));
    for (const p of file.packs) for (const b of p.blobs) counts[b.codec] = (counts[b.codec] ?? 0) + 1;
  }
  return counts;
}

/** Whether two trees hold the same names, bytes and links. */
export function sameTree(a: MemTree, b: MemTree): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.join('/') !== kb.join('/')) return false;
  return ka.every((k) => {
    const x = a[k]!;
    const y = b[k]!;
    if (x instanceof Uint8Array || y instanceof Uint8Array)
      return x instanceof Uint8Array && y instanceof Uint8Array && Buffer.compare(x, y) === 0;
    if ('link' in x || 'link' in y) return (x as { link: string }).link === (y as { link: string }).link;
    return sameTree(x as MemTree, y as MemTree);
  });
}
