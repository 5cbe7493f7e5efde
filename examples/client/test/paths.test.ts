import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { includePatterns, treePaths } from '../src/snapshot-paths.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'kluis.js');
let dir: string;
let data: string;

async function kluis(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    KLUIS_PASSWORD: 'pw',
    KLUIS_REPOSITORY: join(dir, 'repo'),
  };
  try {
    const r = await promisify(execFile)(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-paths-'));
  data = join(dir, 'x', 'data');
  await mkdir(join(data, 'doc', 'git'), { recursive: true });
  await writeFile(join(data, 'doc', 'git', 'HEAD'), 'ref: main\n');
  await writeFile(join(data, 'doc', 'notes.txt'), 'notes');
  await writeFile(join(data, 'top.txt'), 'top');
  expect((await kluis('init', '--scrypt-n', '1024')).code).toBe(0);
  expect((await kluis('backup', data)).code).toBe(0);
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const names = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((l) => l.split(' ').at(-1));

describe('paths as snapshots shows them, through the real command', { timeout: 60_000 }, () => {
  it('ls takes the absolute source path, the tree path, and a path relative to the backed-up path', async () => {
    for (const p of [join(data, 'doc', 'git'), 'doc/git', 'data/doc/git', 'doc/git/', `${data}/doc//git/`]) {
      const r = await kluis('ls', 'latest', p);
      expect(r.code, p).toBe(0);
      expect(names(r.out), p).toEqual(['data/doc/git', 'data/doc/git/HEAD']);
    }
    expect(names((await kluis('ls', 'latest', data)).out)).toHaveLength(6);
  });

  it('ls of a path the snapshot does not hold says so in one line and exits 1', async () => {
    for (const p of ['doc/nope', join(dir, 'elsewhere')]) {
      const r = await kluis('ls', 'latest', p);
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
      expect(r.err).toMatch(
        new RegExp(
          `^kluis: ${p.replace(/[/.]/g, '\\$&')} is not in snapshot [0-9a-f]{8} \\(its paths: ${data.replace(/[/.]/g, '\\$&')};[^\n]*\n$`,
        ),
      );
    }
  });

  it('restore --include takes the same forms', async () => {
    for (const [i, p] of [join(data, 'doc', 'git'), 'doc/git', 'data/doc/git'].entries()) {
      const target = join(dir, `out-${i}`);
      const r = await kluis('restore', 'latest', '--target', target, '--include', p);
      expect(r.code, p).toBe(0);
      expect(r.out).toContain(': 1 files,');
      expect(await readFile(join(target, 'data', 'doc', 'git', 'HEAD'), 'utf8')).toBe('ref: main\n');
      await expect(readFile(join(target, 'data', 'top.txt'))).rejects.toThrow();
    }
  });

  it('an include that matches nothing is named and the restore exits 1', async () => {
    const target = join(dir, 'out-none');
    const r = await kluis(
      'restore',
      'latest',
      '--target',
      target,
      '--include',
      'doc/git',
      '--include',
      'doc/nope',
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain(': 1 files,');
    expect(r.err).toMatch(
      /^kluis: --include "doc\/nope" matched nothing in snapshot [0-9a-f]{8} \(its paths: /,
    );
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});

describe('treePaths and includePatterns', () => {
  const segment = fc.stringMatching(/^[a-z0-9 ._-]{1,8}$/).filter((s) => s !== '.' && s !== '..');
  it('an absolute path under a backed-up path and the same path relative to it name one tree path', () => {
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.array(segment, { maxLength: 4 }),
        (base, rel) => {
          const root = `/${base.join('/')}`;
          const expected = [base.at(-1), ...rel].join('/');
          expect(treePaths([root, ...rel].join('/'), [root])).toEqual([expected]);
          if (rel.length) expect(treePaths(rel.join('/'), [root])).toContain(expected);
          expect(includePatterns([root, ...rel].join('/'), [root])).toEqual([`/${expected}`]);
        },
      ),
    );
  });

  it('the root of the file system is the tree entry root; other absolute paths name nothing', () => {
    expect(treePaths('/etc/hosts', ['/'])).toEqual(['root/etc/hosts']);
    expect(treePaths('/srv/a', ['/home/u', '/srv'])).toEqual(['srv/a']);
    expect(treePaths('/srvx', ['/srv'])).toEqual([]);
  });
});
