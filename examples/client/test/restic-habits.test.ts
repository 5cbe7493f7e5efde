import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kluisProcess } from './_kluis-process.ts';

// Through the built command, as a user runs it: find, dump, tag and the backup flags restic users
// reach for.
let dir: string;
let src: string;
let env: Record<string, string>;
const kluis = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
  kluisProcess(args, { ...env, ...options.env }, options);
const snapshotFiles = () =>
  existsSync(join(dir, 'repo', 'snapshots')) ? readdirSync(join(dir, 'repo', 'snapshots')).sort() : [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kluis-habits-'));
  src = join(dir, 'data');
  mkdirSync(join(src, 'db'), { recursive: true });
  writeFileSync(join(src, 'notes.txt'), 'notes\n');
  writeFileSync(join(src, 'db', 'dump.sql'), 'x'.repeat(100_000));
  writeFileSync(join(src, 'db', 'Old.SQL'), 'old');
  env = { KLUIS_REPOSITORY: join(dir, 'repo'), KLUIS_PASSWORD: 'pw' };
  expect((await kluis(['init', '--scrypt-n', '1024'])).code).toBe(0);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('backup flags', { timeout: 60_000 }, () => {
  it('--dry-run reads everything, reports what it would add, and writes nothing', async () => {
    const files = () => readdirSync(join(dir, 'repo'), { recursive: true }).length;
    const before = files();
    const r = await kluis(['backup', '--dry-run', src]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.toString()).toMatch(
      /^dry run: 3 new, 0 changed, 0 unchanged files; .* nothing was written\n$/,
    );
    expect(files()).toBe(before);
    expect(snapshotFiles()).toEqual([]);
  });

  it('--files-from backs up the listed paths (comments and blank lines skipped); -q prints nothing; -v lists files', async () => {
    const list = join(dir, 'list.txt');
    writeFileSync(list, `# what to back up\n\n${src}\n`);
    const quiet = await kluis(['backup', '-q', '--files-from', list]);
    expect([quiet.code, quiet.out.toString(), quiet.err]).toEqual([0, '', '']);
    writeFileSync(join(src, 'new.txt'), 'new');
    const loud = await kluis(['backup', '-v', '--files-from', list]);
    expect(loud.code).toBe(0);
    expect(loud.out.toString()).toContain('new       data/new.txt (3 B)\n');
    expect(loud.out.toString()).not.toContain('data/notes.txt');
    const all = await kluis(['backup', '-vv', src]);
    expect(all.out.toString()).toContain('unchanged data/notes.txt (6 B)\n');
    rmSync(join(src, 'new.txt'));
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '# nothing\n');
    const none = await kluis(['backup', '--files-from', empty]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('the --files-from list names no path');
  });

  it('--one-file-system records a mount point under the source as an empty directory', async (t) => {
    const fsDir = mkdtempSync(join(tmpdir(), 'kluis-onefs-'));
    const mnt = join(fsDir, 'mnt');
    mkdirSync(mnt);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]).status === 0;
    if (!mounted) {
      rmSync(fsDir, { recursive: true, force: true });
      t.skip('mounting a tmpfs needs root with CAP_SYS_ADMIN; --one-file-system is not tested here');
      return;
    }
    try {
      writeFileSync(join(mnt, 'elsewhere.txt'), 'on another file system');
      writeFileSync(join(fsDir, 'here.txt'), 'here');
      // A repository of its own, so the others' `latest` stays the data directory's.
      const other = { env: { KLUIS_REPOSITORY: join(fsDir, 'repo') } };
      expect((await kluis(['init', '--scrypt-n', '1024'], other)).code).toBe(0);
      const ids = async (args: string[]) => {
        const r = await kluis(['backup', ...args, fsDir, '--exclude', 'repo', '--json'], other);
        expect(r.code).toBe(0);
        const id = JSON.parse(r.out.toString()).id as string;
        const ls = await kluis(['ls', id, '--json'], other);
        return JSON.parse(ls.out.toString()).entries.map((e: { path: string }) => e.path) as string[];
      };
      const name = fsDir.split('/').at(-1)!;
      expect(await ids(['--force'])).toContain(`${name}/mnt/elsewhere.txt`);
      const one = await ids(['--force', '--one-file-system']);
      expect(one).toContain(`${name}/mnt`);
      expect(one).toContain(`${name}/here.txt`);
      expect(one).not.toContain(`${name}/mnt/elsewhere.txt`);
    } finally {
      spawnSync('umount', [mnt]);
      rmSync(fsDir, { recursive: true, force: true });
    }
  });

  it("--stdin-from-command backs up a command's output; a failing command fails the backup, no snapshot", async () => {
    const repo = { env: { KLUIS_REPOSITORY: join(dir, 'cmd-repo') } };
    expect((await kluis(['init', '--scrypt-n', '1024'], repo)).code).toBe(0);
    const ok = await kluis(
      [
        'backup',
        '--stdin-from-command',
        '--stdin-filename',
        'out.txt',
        '--json',
        '--',
        'sh',
        '-c',
        'seq 1 5000',
      ],
      repo,
    );
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out.toString()).paths).toEqual(['out.txt']);
    const dumped = await kluis(['dump', 'latest', 'out.txt'], repo);
    expect(dumped.out.toString()).toBe(`${Array.from({ length: 5000 }, (_, i) => i + 1).join('\n')}\n`);
    const failed = await kluis(
      ['backup', '--stdin-from-command', '--', 'sh', '-c', 'seq 1 5000; echo broken >&2; exit 3'],
      repo,
    );
    expect(failed.code).toBe(1);
    expect(failed.err).toContain('broken');
    expect(failed.err).toContain('failed (exit 3)');
    expect(readdirSync(join(dir, 'cmd-repo', 'snapshots'))).toHaveLength(1);
    const missing = await kluis(['backup', '--stdin-from-command', '--', 'no-such-command-here'], repo);
    expect(missing.code).toBe(1);
    expect(readdirSync(join(dir, 'cmd-repo', 'snapshots'))).toHaveLength(1);
    const usage = await kluis(['backup', '--stdin-from-command'], repo);
    expect(usage.code).toBe(2);
  });

  it('--password-command gives the password; a failing command or both password flags are errors', async () => {
    const noEnv = { KLUIS_PASSWORD: 'not-this' };
    const ok = await kluis(['snapshots', '--password-command', 'printf "pw\\n"'], { env: noEnv });
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    const wrong = await kluis(['snapshots', '--password-command', 'echo nope'], { env: noEnv });
    expect(wrong.code).toBe(3);
    const failing = await kluis(['snapshots', '--password-command', 'exit 7']);
    expect(failing.code).toBe(1);
    expect(failing.err).toContain('password command "exit 7" failed (exit 7)');
    const both = await kluis(['snapshots', '--password-command', 'echo pw', '--password-file', '/x']);
    expect(both.code).toBe(2);
    expect(both.err).toContain('give --password-file or --password-command, not both');
    const env2 = await kluis(['snapshots'], { env: { ...noEnv, KLUIS_PASSWORD_COMMAND: 'echo pw' } });
    expect(env2.code).toBe(0);
  });
});

describe('find, dump, tag', { timeout: 60_000 }, () => {
  it('find lists matches per snapshot (names, or whole paths with /); nothing found exits 1', async () => {
    const r = await kluis(['find', '*.sql', '-i', '--json']);
    expect(r.code).toBe(0);
    const found = JSON.parse(r.out.toString()) as { snapshot: string; path: string }[];
    const paths = [...new Set(found.map((f) => f.path))];
    expect(paths).toEqual(['data/db/Old.SQL', 'data/db/dump.sql']);
    expect(new Set(found.map((f) => f.snapshot)).size).toBe(3); // -q, -v and -vv backups
    const text = await kluis(['find', 'data/db/*.sql']);
    expect(text.out.toString()).toMatch(
      /snapshot [0-9a-f]{8} of .*:\n {2}- +100000 .* data\/db\/dump\.sql\n/,
    );
    expect(text.out.toString()).not.toContain('Old.SQL');
    const none = await kluis(['find', 'nothing-*']);
    expect(none.code).toBe(1);
    expect(none.err).toContain('nothing matches nothing-*');
    const bad = await kluis(['find', '[z-a]']);
    expect(bad.code).toBe(2);
  });

  it('dump writes a file byte for byte, and a directory as a tar that tar extracts', async () => {
    const file = await kluis(['dump', 'latest', 'data/db/dump.sql']);
    expect(file.code).toBe(0);
    expect(file.out.equals(readFileSync(join(src, 'db', 'dump.sql')))).toBe(true);
    // The path as backed up works too.
    const same = await kluis(['dump', 'latest', join(src, 'notes.txt')]);
    expect(same.out.toString()).toBe('notes\n');
    const tar = await kluis(['dump', 'latest', join(src, 'db')]);
    expect(tar.code).toBe(0);
    const out = join(dir, 'untar');
    mkdirSync(out);
    execFileSync('tar', ['-x', '-C', out], { input: tar.out });
    expect(readFileSync(join(out, 'db', 'dump.sql'), 'utf8')).toBe('x'.repeat(100_000));
    expect(readFileSync(join(out, 'db', 'Old.SQL'), 'utf8')).toBe('old');
    const listing = execFileSync('tar', ['-t'], { input: (await kluis(['dump', 'latest', '/'])).out });
    expect(listing.toString().split('\n')).toContain('data/notes.txt');
    // A reader that stops early (`| head -c 10`) ends the dump quietly, exit 0.
    const bin = join(import.meta.dirname, '..', 'bin', 'kluis.js');
    const piped = spawnSync(
      'bash',
      ['-o', 'pipefail', '-c', `"${process.execPath}" "${bin}" dump latest / | head -c 10 >/dev/null`],
      {
        env: { ...process.env, ...env, KLUIS_THREADS: '0' },
        encoding: 'utf8',
      },
    );
    expect([piped.status, piped.stderr]).toEqual([0, '']);
    const missing = await kluis(['dump', 'latest', 'data/nope']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no "data/nope" in snapshot latest');
  });

  it('tag writes a new snapshot with the changed tags and original, and removes the old one', async () => {
    const before = snapshotFiles();
    const list = JSON.parse((await kluis(['snapshots', '--json'])).out.toString()) as { id: string }[];
    const old = list.at(-1)!.id;
    const r = await kluis(['tag', '--add', 'keep', '--add', 'db', old.slice(0, 8)]);
    expect(r.code).toBe(0);
    const now = snapshotFiles();
    expect(now).not.toContain(old);
    expect(now.length).toBe(before.length);
    const added = now.find((id) => !before.includes(id))!;
    expect(r.out.toString()).toBe(
      `snapshot ${old.slice(0, 8)} is now ${added.slice(0, 8)} (tags: keep,db)\n`,
    );
    const after = JSON.parse((await kluis(['snapshots', '--json', '--tag', 'keep'])).out.toString());
    expect(after).toMatchObject([{ id: added, tags: ['keep', 'db'], original: old }]);
    const removed = await kluis(['tag', '--remove', 'db', 'latest', '--json']);
    expect(JSON.parse(removed.out.toString())[0].tags).toEqual(['keep']);
    const cleared = await kluis(['tag', '--set', '', 'latest']);
    expect(cleared.out.toString()).toMatch(/\(tags: none\)\n$/);
    const usage = await kluis(['tag', 'latest']);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('tag needs --add T, --remove T or --set T');
  });
});
