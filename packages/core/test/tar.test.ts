import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KluisError, type TarEntry, tarStream } from '../src/index';

const exec = promisify(execFile);

async function archive(entries: TarEntry[]): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of tarStream(entries)) parts.push(p.slice());
  return new Uint8Array(Buffer.concat(parts));
}

/** Writes the archive and lets GNU tar list it (`path\ttype\tsize` per entry) and extract it. */
async function gnuTar(bytes: Uint8Array): Promise<{ dir: string; listing: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'kluis-tar-'));
  await writeFile(join(dir, 'a.tar'), bytes);
  const { stdout } = await exec('tar', ['--utc', '-tvf', join(dir, 'a.tar')], { maxBuffer: 64 << 20 });
  await exec('tar', ['-xf', join(dir, 'a.tar'), '-C', dir, '--no-same-owner']);
  return { dir, listing: stdout.trim().split('\n') };
}

const bytesOf = (s: string) => new TextEncoder().encode(s);

describe('tarStream', () => {
  it('writes files, directories, symlinks, long and non-ASCII names that GNU tar lists and extracts', async () => {
    const long = `${'deep/'.repeat(40)}file-with-a-very-long-name-${'x'.repeat(120)}.txt`;
    const big = new Uint8Array(70_000).map((_, i) => (i * 7) & 255);
    const bytes = await archive([
      { path: 'docs', type: 'dir', mode: 0o750, mtime: Date.parse('2026-01-02T03:04:05Z') },
      { path: 'docs/hello ✓.txt', type: 'file', mode: 0o640, size: 6, content: [bytesOf('hello\n')] },
      {
        path: 'docs/big.bin',
        type: 'file',
        size: big.length,
        content: [big.subarray(0, 1000), big.subarray(1000)],
      },
      { path: 'docs/empty', type: 'file', size: 0 },
      { path: 'docs/link', type: 'symlink', target: 'hello ✓.txt' },
      { path: 'docs/far', type: 'symlink', target: `../${'t'.repeat(150)}` },
      { path: long, type: 'file', size: 3, content: [bytesOf('abc')] },
    ]);
    expect(bytes.length % 512).toBe(0);
    const { dir, listing } = await gnuTar(bytes);
    try {
      expect(listing[0]).toMatch(/^drwxr-x--- 0\/0 +0 2026-01-02 03:04 docs\/$/);
      expect(listing.some((l) => l.endsWith('docs/hello ✓.txt'))).toBe(true);
      expect(await readFile(join(dir, 'docs', 'hello ✓.txt'), 'utf8')).toBe('hello\n');
      expect((await stat(join(dir, 'docs', 'hello ✓.txt'))).mode & 0o777).toBe(0o640);
      expect(new Uint8Array(await readFile(join(dir, 'docs', 'big.bin')))).toEqual(big);
      expect((await stat(join(dir, 'docs', 'empty'))).size).toBe(0);
      expect(await readlink(join(dir, 'docs', 'link'))).toBe('hello ✓.txt');
      expect(await readlink(join(dir, 'docs', 'far'))).toBe(`../${'t'.repeat(150)}`);
      expect(await readFile(join(dir, long), 'utf8')).toBe('abc');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails with INVALID_DATA when a file yields fewer or more bytes than its size', async () => {
    for (const content of [[bytesOf('ab')], [bytesOf('abcd')]]) {
      const e = await archive([{ path: 'f', type: 'file', size: 3, content }]).catch((x: unknown) => x);
      expect(KluisError.is(e, 'INVALID_DATA')).toBe(true);
      expect((e as Error).message).toContain('tar entry f');
    }
  });

  it('refuses absolute and empty paths', async () => {
    await expect(archive([{ path: '/etc/passwd', type: 'file' }])).rejects.toThrow(TypeError);
    await expect(archive([{ path: '', type: 'dir' }])).rejects.toThrow(TypeError);
  });

  it('property: any names, modes, times and contents extract byte for byte with GNU tar', async () => {
    const segment = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
      .filter((s) => !/[/\\\0]/.test(s) && s !== '.' && s !== '..' && s.trim() === s && !s.startsWith('-'));
    const file = fc.record({
      name: segment,
      mode: fc.integer({ min: 0o400, max: 0o777 }),
      mtime: fc.integer({ min: 0, max: 4_000_000_000_000 }),
      data: fc.uint8Array({ maxLength: 3000 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(file, { selector: (f) => f.name.normalize('NFC'), minLength: 1, maxLength: 6 }),
        async (files) => {
          const entries: TarEntry[] = [{ path: 'root', type: 'dir' }];
          for (const f of files)
            entries.push({
              path: `root/${f.name}`,
              type: 'file',
              mode: f.mode,
              mtime: f.mtime,
              size: f.data.length,
              content: [f.data],
            });
          const { dir } = await gnuTar(await archive(entries));
          try {
            for (const f of files) {
              const p = join(dir, 'root', f.name);
              expect(new Uint8Array(await readFile(p))).toEqual(f.data);
              const st = await stat(p);
              expect(st.mode & 0o777).toBe(f.mode);
              expect(Math.floor(st.mtimeMs / 1000)).toBe(Math.floor(f.mtime / 1000));
            }
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});
