import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRepository, walkTree } from '@kluis/core';
import { fromHex, toHex } from '@kluis/core/format';
import { localTransport, nativeCrypto } from '@kluis/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKluis } from './_run.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-cli-restore-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Pseudo-random bytes (incompressible, no repeated chunks). */
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('kluis restore from a damaged repository', () => {
  it('exits 1, names the file it could not restore, and leaves no partial file under its name', async () => {
    const repo = join(dir, 'repo');
    const src = join(dir, 'src');
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'big.bin'), noise(3_000_000, 7));
    await writeFile(join(src, 'notes.txt'), 'notes\n'.repeat(100));
    const env = { KLUIS_REPOSITORY: repo, KLUIS_PASSWORD: 'secret' };
    expect((await runKluis(['init', '--scrypt-n', '1024'], env)).code).toBe(0);
    expect((await runKluis(['backup', src], env)).code).toBe(0);
    // Flip a byte of the big file's last chunk in its pack.
    const r = await openRepository(localTransport({ root: repo }), {
      password: 'secret',
      crypto: nativeCrypto,
    });
    await r.blobs.loadIndex();
    const { snapshot } = await r.snapshots.resolve('latest');
    let last: string | undefined;
    for await (const { node } of walkTree(r, snapshot.tree))
      if (node.name === 'big.bin') last = node.content!.at(-1);
    const loc = r.blobs.index.get(fromHex(last!))!;
    await r.close();
    const pack = toHex(loc.pack);
    const fh = await open(join(repo, 'data', pack.slice(0, 2), pack), 'r+');
    await fh.write(new Uint8Array([0x55]), 0, 1, loc.offset + 100);
    await fh.close();

    const target = join(dir, 'out');
    const res = await runKluis(['restore', 'latest', '--target', target], env);
    expect(res.code).toBe(1);
    const lines = res.err.trim().split('\n');
    expect(lines).toContain('not restored: src/big.bin');
    expect(lines.at(-1)).toMatch(
      /^kluis: integrity check failed .*; restore stopped: \d file\(s\) in progress not restored \([^)]*src\/big\.bin[^)]*\), files not reached not restored either, files already restored are complete \(kluis check --read-data finds all damage\)$/,
    );
    const left = await readdir(join(target, 'src'));
    expect(left.filter((f) => f !== 'notes.txt')).toEqual([]);
    if (left.includes('notes.txt'))
      expect(await readFile(join(target, 'src', 'notes.txt'), 'utf8')).toBe('notes\n'.repeat(100));
  });
});
