import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
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
    const a = await run(['forget', '--keep-last', '3', '--prune']);
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/removed 1 snapshot\(s\)/);
    expect(a.out).toMatch(/pack\(s\) marked/);

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
