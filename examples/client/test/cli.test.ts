import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKluis } from './_run.ts';

let dir: string;
let repo: string;
let src: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-cli-'));
  repo = join(dir, 'repo');
  src = join(dir, 'src');
  await mkdir(join(src, 'sub'), { recursive: true });
  await writeFile(join(src, 'a.txt'), 'alpha\n'.repeat(500));
  await writeFile(join(src, 'sub', 'b ✓.txt'), 'beta');
  await writeFile(join(src, 'skip.tmp'), 'temporary');
  await writeFile(join(src, 'empty'), '');
  await symlink('a.txt', join(src, 'link'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = (args: string[], env: Record<string, string> = {}) =>
  runKluis(args, { KLUIS_REPOSITORY: repo, KLUIS_PASSWORD: 'secret', ...env });

describe('kluis CLI', () => {
  it('init, backup, snapshots, ls, restore round trip', async () => {
    expect((await run(['init', '--scrypt-n', '1024'])).code).toBe(0);
    const b = await run(['backup', src, '--exclude', '*.tmp', '--tag', 'first', '--json']);
    expect(b.code).toBe(0);
    const snap = JSON.parse(b.out);
    expect(snap.tags).toEqual(['first']);
    expect(snap.summary.filesNew).toBe(3);
    const list = JSON.parse((await run(['snapshots', '--json'])).out);
    expect(list).toHaveLength(1);
    const ls = JSON.parse((await run(['ls', 'latest', '--json'])).out);
    expect(ls.entries.map((e: { path: string }) => e.path)).toContain('src/sub/b ✓.txt');
    expect(ls.entries.map((e: { path: string }) => e.path)).not.toContain('src/skip.tmp');
    const target = join(dir, 'out1');
    const r = await run(['restore', 'latest', '--target', target, '--verify']);
    expect(r.code).toBe(0);
    expect(await readFile(join(target, 'src', 'a.txt'), 'utf8')).toBe('alpha\n'.repeat(500));
    expect(await readFile(join(target, 'src', 'sub', 'b ✓.txt'), 'utf8')).toBe('beta');
  });

  it('incremental backup, diff and include', async () => {
    await writeFile(join(src, 'sub', 'new.txt'), 'new file');
    const b = JSON.parse((await run(['backup', src, '--exclude', '*.tmp', '--json'])).out);
    expect(b.summary.filesUnchanged).toBe(3);
    expect(b.summary.filesNew).toBe(1);
    const list = JSON.parse((await run(['snapshots', '--json'])).out);
    const d = await run(['diff', list[0].id, list[1].id]);
    expect(d.out).toContain('+ src/sub/new.txt');
    expect(d.out).toContain('1 added, 0 removed, 0 modified');
    const target = join(dir, 'out2');
    expect((await run(['restore', 'latest', '--target', target, '--include', 'src/sub'])).code).toBe(0);
    await expect(readFile(join(target, 'src', 'a.txt'))).rejects.toThrow();
    expect(await readFile(join(target, 'src', 'sub', 'new.txt'), 'utf8')).toBe('new file');
  });

  it('wrong password exits 3 with one line and no stack', async () => {
    const r = await run(['snapshots'], { KLUIS_PASSWORD: 'wrong' });
    expect(r.code).toBe(3);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^kluis: wrong password/);
  });

  it('usage errors exit 2', async () => {
    expect((await run(['restore', 'latest'])).code).toBe(2);
    expect((await run(['bogus'])).code).toBe(2);
    expect((await run(['backup', '--no-such-flag'])).code).toBe(2);
  });

  it('check, check --read-data, stats, forget dry-run, prune', async () => {
    expect((await run(['check'])).out).toContain('no errors found');
    expect((await run(['check', '--read-data'])).code).toBe(0);
    const stats = JSON.parse((await run(['stats', '--json'])).out);
    expect(stats.snapshots).toBe(2);
    expect(stats.dedupRatio).toBeGreaterThan(1);
    const f = await run(['forget', '--keep-last', '1', '--dry-run', '--json']);
    expect(f.code).toBe(0);
    const plan = JSON.parse(f.out);
    expect(plan.dryRun).toBe(true);
    expect(JSON.parse((await run(['snapshots', '--json'])).out)).toHaveLength(2);
    expect((await run(['forget', '--keep-last', '1'])).code).toBe(0);
    expect(JSON.parse((await run(['snapshots', '--json'])).out)).toHaveLength(1);
    expect((await run(['prune'])).out).toMatch(/marked/);
  });

  it('key add, list, passwd, remove', async () => {
    expect((await run(['key', 'add', '--scrypt-n', '1024'], { KLUIS_NEW_PASSWORD: 'second' })).code).toBe(0);
    const keys = JSON.parse((await run(['key', 'list', '--json'])).out);
    expect(keys).toHaveLength(2);
    expect((await run(['snapshots'], { KLUIS_PASSWORD: 'second' })).code).toBe(0);
    expect(
      (
        await run(['key', 'passwd', '--scrypt-n', '1024'], {
          KLUIS_PASSWORD: 'second',
          KLUIS_NEW_PASSWORD: 'third',
        })
      ).code,
    ).toBe(0);
    expect((await run(['snapshots'], { KLUIS_PASSWORD: 'second' })).code).toBe(3);
    const after = JSON.parse((await run(['key', 'list', '--json'], { KLUIS_PASSWORD: 'third' })).out);
    expect(after).toHaveLength(2);
    expect((await run(['key', 'remove', after[1].id.slice(0, 8)])).code).toBe(0);
  });

  it('demo runs end to end', async () => {
    const r = await run(['demo', '--size', '4'], { KLUIS_THREADS: '2' });
    expect(r.code).toBe(0);
    expect(r.out).toContain('identical to the original: yes');
  });

  it('runs as a real process through the built or source entry', async () => {
    const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@kluis/source', '--import', 'tsx', cli, 'snapshots', '--json'],
      {
        env: { ...process.env, KLUIS_REPOSITORY: repo, KLUIS_PASSWORD: 'secret' },
      },
    );
    expect(JSON.parse(stdout)).toHaveLength(1);
  });
});

describe('repository locations', () => {
  it('only a directory counts as local (one pack upload in flight)', async () => {
    const { isLocalLocation } = await import('../src/repository-url');
    expect(isLocalLocation('/srv/backup')).toBe(true);
    expect(isLocalLocation('relative/repo')).toBe(true);
    expect(isLocalLocation('s3:http://127.0.0.1:9000/bucket')).toBe(false);
    expect(isLocalLocation('rest:http://127.0.0.1:8000/')).toBe(false);
    expect(isLocalLocation('https://backup.example/repo')).toBe(false);
  });
});
