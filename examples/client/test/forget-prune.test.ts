import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKdfEarly } from '../src/early-kdf.ts';
import { runKluis } from './_run.ts';

let dir: string;
let repo: string;
let src: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-forget-prune-'));
  repo = join(dir, 'repo');
  src = join(dir, 'src');
  await mkdir(src);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI in-process with the key derivation started early, as the `kluis` entry point does. */
const run = (args: string[], password = 'first') => {
  const env = { KLUIS_REPOSITORY: repo, KLUIS_PASSWORD: password };
  return runKluis(args, env, startKdfEarly(args, env));
};

const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
/** Runs the CLI as a real process (source entry), password in the environment. */
async function runProcess(
  args: string[],
  password: string,
): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@kluis/source', '--import', 'tsx', cli, ...args],
      { env: { ...process.env, KLUIS_REPOSITORY: repo, KLUIS_PASSWORD: password, KLUIS_THREADS: '0' } },
    );
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

async function backupVersion(n: number): Promise<void> {
  await writeFile(join(src, `v${n}.txt`), `version ${n}\n`.repeat(2000));
  const r = await run(['backup', src]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
}

describe('forget --prune on a local repository (one open per command)', () => {
  it('prunes after forgetting, with the oldest and with a newer key slot', { timeout: 60_000 }, async () => {
    expect((await run(['init', '--scrypt-n', '1024'])).code).toBe(0);
    const add = await runKluis(['key', 'add', '--scrypt-n', '1024'], {
      KLUIS_REPOSITORY: repo,
      KLUIS_PASSWORD: 'first',
      KLUIS_NEW_PASSWORD: 'second',
    });
    expect(add.code).toBe(0);
    for (let n = 0; n < 4; n++) await backupVersion(n);

    // The oldest slot's password is the one whose key is derived early.
    const a = await run(['forget', '--keep-last', '3', '--prune', '--grace-hours', '0']);
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/removed 1 snapshot\(s\)/);
    expect(a.out).toMatch(/pack\(s\) deleted .* marked/);

    const b = await run(['forget', '--keep-last', '2', '--prune'], 'second');
    expect(b.err).toBe('');
    expect(b.code).toBe(0);

    // And as a real process, through the entry point that starts the derivation early.
    const c = await runProcess(['forget', '--keep-last', '1', '--prune'], 'first');
    expect(c.err).toBe('');
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/removed 1 snapshot\(s\), kept 1/);
    expect((await run(['check', '--read-data'])).code).toBe(0);
  });
});

const ids = async (): Promise<string[]> =>
  (JSON.parse((await run(['snapshots', '--json'])).out) as { id: string }[]).map((s) => s.id);

describe('forget, safely', () => {
  it('refuses without IDs or a policy (exit 2), and with both', async () => {
    await backupVersion(10);
    const before = await ids();
    const none = await run(['forget']);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/forget needs snapshot IDs or a retention policy/);
    const dry = await run(['forget', '--dry-run']);
    expect(dry.code).toBe(2);
    const both = await run(['forget', before[0]!.slice(0, 8), '--keep-last', '1']);
    expect(both.code).toBe(2);
    expect(await ids()).toEqual(before);
  });

  it('removes exactly the snapshots named by ID prefix; --dry-run removes none', async () => {
    await backupVersion(11);
    await backupVersion(12);
    const before = await ids();
    expect(before.length).toBeGreaterThanOrEqual(3);
    const victim = before.at(-2)!;
    const dry = await run(['forget', victim.slice(0, 8), '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/would remove snapshot/);
    expect(dry.out).toMatch(/dry run/);
    expect(await ids()).toEqual(before);
    const r = await run(['forget', victim.slice(0, 8)]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`removed snapshot ${victim.slice(0, 8)}`);
    expect(await ids()).toEqual(before.filter((id) => id !== victim));
    const unknown = await run(['forget', 'abcdef0123']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/no snapshot abcdef0123/);
  });

  it('removes a snapshot whose file is damaged, by ID', async () => {
    await backupVersion(13);
    const last = (await ids()).at(-1)!;
    const file = join(repo, 'snapshots', last);
    const bytes = await readFile(file);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    await writeFile(file, bytes);
    const r = await run(['forget', last.slice(0, 10)]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
    expect((await run(['check'])).code).toBe(0);
  });

  it('prune --dry-run says what it would free and that nothing changed', async () => {
    const r = await run(['prune', '--dry-run', '--max-unused', '5%', '--max-repack-size', '1G']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^dry run, nothing was changed: would free \S+ \S+ now/);
    expect((await run(['prune', '--max-unused', 'lots'])).code).toBe(2);
    expect((await run(['prune', '--max-repack-size', '1 banana'])).code).toBe(2);
  });
});

describe('forget --fit-quota', () => {
  it('says which snapshots beyond the policy would go to fit, and the forecast', async () => {
    const before = await ids();
    expect(before.length).toBeGreaterThan(1);
    const r = await run([
      'forget',
      '--keep-within',
      '30d',
      '--fit-quota',
      '1K',
      '--protect-days',
      '0',
      '--dry-run',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      new RegExp(`quota 1.00 KiB: would also remove ${before.length - 1} snapshot\\(s\\) the policy keeps`),
    );
    expect(r.out).toMatch(/still over the quota/);
    const roomy = await run(['forget', '--keep-within', '30d', '--fit-quota', '1G', '--dry-run']);
    expect(roomy.out).toMatch(/no snapshot beyond the policy needs to go/);
    expect(await ids()).toEqual(before);
    expect((await run(['forget', before[0]!.slice(0, 8), '--fit-quota', '1G'])).code).toBe(2);
  });
});

describe('stray positionals', () => {
  it('every command rejects arguments it does not take (exit 2)', async () => {
    for (const args of [
      ['snapshots', 'extra'],
      ['prune', 'extra'],
      ['check', 'extra'],
      ['stats', 'extra'],
      ['init', 'extra'],
      ['demo', 'extra'],
      ['restore', 'latest', 'extra', '--target', join(dir, 'out')],
      ['diff', 'a', 'b', 'c'],
      ['ls', 'latest', 'path', 'extra'],
      ['key', 'remove', 'abcd', 'extra'],
      ['key', 'list', 'extra'],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(/takes|unexpected/);
    }
  });
});
