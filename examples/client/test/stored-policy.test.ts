import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runKluis } from './_run.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-10T12:00:00Z');
let dir: string;
let xdg: string;
let src: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-stored-policy-'));
  xdg = join(dir, 'xdg');
  src = join(dir, 'src');
  await mkdir(src);
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.useRealTimers();
});

/** The CLI in-process, with its settings under a temp XDG_CONFIG_HOME. */
const run = (repo: string, args: string[]) =>
  runKluis(args, { KLUIS_REPOSITORY: repo, KLUIS_PASSWORD: 'pw', XDG_CONFIG_HOME: xdg, HOME: dir });

/** The snapshot IDs of `repo`, oldest first. */
async function snapshotIds(repo: string): Promise<string[]> {
  const r = await run(repo, ['snapshots', '--json']);
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as { id: string; time: string }[])
    .sort((a, b) => a.time.localeCompare(b.time))
    .map((s) => s.id);
}

/** A backup taken `daysAgo` days before NOW (the client's clock is the only one involved). */
async function backupAt(repo: string, daysAgo: number): Promise<void> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW - daysAgo * DAY);
  await writeFile(join(src, 'f.txt'), `taken ${daysAgo} day(s) before\n`.repeat(3000));
  const r = await run(repo, ['backup', src]);
  vi.useRealTimers();
  expect(r.code, r.err).toBe(0);
}

/** `forget` at NOW. */
async function forgetNow(repo: string, args: string[] = []) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  try {
    return await run(repo, ['forget', ...args]);
  } finally {
    vi.useRealTimers();
  }
}

describe('a retention policy stored for a local repository', () => {
  it('is refused without flags until set, then applied and named; unset restores the refusal', {
    timeout: 60_000,
  }, async () => {
    const repo = join(dir, 'repo');
    expect((await run(repo, ['init', '--scrypt-n', '1024'])).code).toBe(0);
    for (const d of [20, 8, 1]) await backupAt(repo, d);
    const [oldest, ...recent] = await snapshotIds(repo);

    const none = await forgetNow(repo);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/--keep-within 7d.*kluis config set retention 7d.*nothing was removed/);
    await expect(stat(join(xdg, 'kluis'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await run(repo, ['config', 'get', 'retention'])).out).toMatch(
      /^none stored for repository [0-9a-f]{8}/,
    );

    const bad = await run(repo, ['config', 'set', 'retention', '7x']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^kluis: retention "7x": .*e\.g\. 7d/);
    expect((await run(repo, ['config', 'set', 'retention', ''])).code).toBe(2);
    expect((await run(repo, ['config', 'set', 'keep', '7d'])).code).toBe(2);
    expect((await run(repo, ['config', 'get', 'retention', '7d'])).code).toBe(2);

    const set = await run(repo, ['config', 'set', 'retention', '10d']);
    expect(set.code, set.err).toBe(0);
    expect(set.out).toMatch(/^retention of repository [0-9a-f]{8} set to 10d/);
    const file = join(xdg, 'kluis', 'repositories.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(file, 'utf8'));
    expect(Object.values(stored.repositories)).toEqual([
      { retention: '10d', location: repo, updated: expect.any(String) },
    ]);
    expect((await run(repo, ['config', 'get', 'retention'])).out).toBe('10d\n');

    const dry = await forgetNow(repo, ['--dry-run']);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out.split('\n')[0]).toBe(
      `policy 10d: stored for repository ${Object.keys(stored.repositories)[0]!.slice(0, 8)} in ${file} (kluis config set retention)`,
    );
    expect(dry.out).toMatch(/would remove 1 snapshot\(s\), keep 2/);
    expect(await snapshotIds(repo)).toHaveLength(3);

    // The account's quota needs a server; the refusal is the only output.
    const fit = await forgetNow(repo, ['--fit-quota']);
    expect([fit.code, fit.out]).toEqual([2, '']);
    expect(fit.err).toMatch(/^kluis: --fit-quota account needs a repository on a kluis server/);

    // Flags win over the stored policy.
    const flags = await forgetNow(repo, ['--keep-last', '3', '--dry-run']);
    expect(flags.out).not.toMatch(/stored for repository/);
    expect(flags.out).toMatch(/would remove 0 snapshot\(s\), keep 3/);

    const real = await forgetNow(repo);
    expect(real.code, real.err).toBe(0);
    expect(real.out).toMatch(/removed 1 snapshot\(s\), kept 2/);
    const after = await snapshotIds(repo);
    expect(after).toEqual(recent);
    expect(after).not.toContain(oldest);

    // Keyed by repository ID: another repository has no policy.
    const other = join(dir, 'other');
    expect((await run(other, ['init', '--scrypt-n', '1024'])).code).toBe(0);
    expect((await forgetNow(other)).code).toBe(2);

    expect((await run(repo, ['config', 'unset', 'retention'])).out).toMatch(
      /^retention of repository \S+ removed/,
    );
    expect((await run(repo, ['config', 'unset', 'retention'])).out).toMatch(/^no retention was stored/);
    expect(JSON.parse(await readFile(file, 'utf8')).repositories).toEqual({});
    expect((await forgetNow(repo)).code).toBe(2);
    expect(await snapshotIds(repo)).toEqual(recent);
  });

  it('refuses a corrupt or oversized settings file with an error naming it, and removes nothing', {
    timeout: 60_000,
  }, async () => {
    const repo = join(dir, 'repo-corrupt');
    expect((await run(repo, ['init', '--scrypt-n', '1024'])).code).toBe(0);
    await backupAt(repo, 30);
    const file = join(xdg, 'kluis', 'repositories.json');
    await mkdir(join(xdg, 'kluis'), { recursive: true });
    const cases: [string, RegExp][] = [
      ['{"version": 1, "repositories": {', /not valid JSON/],
      ['{"version": 2, "repositories": {}}', /not a kluis settings file .*at version/],
      [
        `{"version": 1, "repositories": {"${'a'.repeat(64)}": {"retention": "7q"}}}`,
        /retention of repository aaaaaaaa is not a policy/,
      ],
      [`{"version": 1, "repositories": {}, "pad": "${'x'.repeat(1 << 20)}"}`, /larger than 1048576 bytes/],
    ];
    for (const [text, message] of cases) {
      await writeFile(file, text);
      for (const args of [['forget'], ['config', 'get', 'retention'], ['config', 'set', 'retention', '7d']]) {
        const r = await run(repo, args);
        expect([args, r.code]).toEqual([args, 1]);
        expect(r.err).toContain(`kluis: ${file}: `);
        expect(r.err).toMatch(message);
      }
    }
    expect(await readFile(file, 'utf8')).toMatch(/"pad"/);
    expect(await snapshotIds(repo)).toHaveLength(1);
    await rm(file);
  });
});

describe('kluis config as a process', () => {
  it('stores under ~/.config/kluis when XDG_CONFIG_HOME is unset, and forget names the source', {
    timeout: 60_000,
  }, async () => {
    const home = join(dir, 'home');
    const repo = join(dir, 'repo-process');
    const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
    const env: Record<string, string | undefined> = {
      ...process.env,
      HOME: home,
      KLUIS_REPOSITORY: repo,
      KLUIS_PASSWORD: 'pw',
      KLUIS_THREADS: '0',
    };
    delete env.XDG_CONFIG_HOME;
    const kluis = async (...args: string[]) => {
      try {
        const { stdout, stderr } = await promisify(execFile)(
          process.execPath,
          ['--conditions=@kluis/source', '--import', 'tsx', cli, ...args],
          { env },
        );
        return { code: 0, out: stdout, err: stderr };
      } catch (e) {
        const x = e as { code: number; stdout: string; stderr: string };
        return { code: x.code, out: x.stdout, err: x.stderr };
      }
    };
    expect((await kluis('init', '--scrypt-n', '1024')).code).toBe(0);
    const refused = await kluis('forget');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/kluis config set retention 7d/);
    expect((await kluis('config', 'set', 'retention', 'last:2,7:1d')).code).toBe(0);
    const file = join(home, '.config', 'kluis', 'repositories.json');
    expect(JSON.parse(await readFile(file, 'utf8')).version).toBe(1);
    const f = await kluis('forget', '--dry-run');
    expect(f.code, f.err).toBe(0);
    expect(f.out).toMatch(/^policy last:2,7:1d: stored for repository [0-9a-f]{8} in /);
  });
});
