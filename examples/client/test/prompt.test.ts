import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', 'bin', 'kluis.js');
/** util-linux `script` gives the command a pseudo-terminal, so the prompt runs as a user meets it. */
const hasScript = spawnSync('script', ['--version']).status === 0;
let dir: string;
let repo: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kluis-prompt-'));
  repo = join(dir, 'repo');
  execFileSync(process.execPath, [bin, '-r', repo, 'init', '--scrypt-n', '1024'], {
    env: { ...process.env, KLUIS_PASSWORD: 'right horse' },
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs `kluis ARGS` on a pseudo-terminal and types `keys` once the password prompt is shown (the
 * keys are sent when the prompt is on screen, not after a delay).
 */
function onTerminal(args: string[], keys: string): Promise<{ code: number | null; screen: string }> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', TERM: 'dumb', HOME: dir };
  const command = [process.execPath, bin, '-r', repo, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env });
  let screen = '';
  let typed = false;
  child.stdout.on('data', (b: Buffer) => {
    screen += b.toString();
    if (!typed && screen.includes('repository password: ')) {
      typed = true;
      child.stdin.write(keys);
    }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, screen })));
}

describe.skipIf(!hasScript)('the password prompt on a terminal', { timeout: 30_000 }, () => {
  it('reads the password without echoing it, and goes on to a new line', async () => {
    const r = await onTerminal(['snapshots'], 'right horse\r');
    expect(r.code).toBe(0);
    expect(r.screen).not.toContain('right');
    expect(r.screen).toMatch(/^repository password: \r?\nID +Time/);
  });

  it('a wrong password typed at the prompt exits 3', async () => {
    const r = await onTerminal(['snapshots'], 'wrong horse\r');
    expect(r.code).toBe(3);
    expect(r.screen).not.toContain('wrong horse');
    expect(r.screen).toContain('kluis: wrong password');
  });

  it('Ctrl-C at the prompt stops with exit 130 and one line', async () => {
    const r = await onTerminal(['snapshots'], '\u0003');
    expect(r.code).toBe(130);
    expect(r.screen).toMatch(/^repository password: \r?\nkluis: interrupted at the password prompt\r?\n$/);
  });
});

describe('a password file that cannot be read', () => {
  it('is named as the password file, in one line, exit 1', () => {
    const r = spawnSync(
      process.execPath,
      [bin, '-r', repo, '--password-file', join(dir, 'nonexist'), 'snapshots'],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: dir },
      },
    );
    expect(r.stderr).toBe(
      `kluis: cannot read the password file (--password-file or KLUIS_PASSWORD_FILE) ${join(dir, 'nonexist')}: no such file\n`,
    );
    expect(r.status).toBe(1);
    const d = spawnSync(process.execPath, [bin, '-r', repo, 'snapshots'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: dir, KLUIS_PASSWORD_FILE: dir },
    });
    expect(d.stderr).toContain(
      `password file (--password-file or KLUIS_PASSWORD_FILE) ${dir}: it is a directory`,
    );
  });
});
