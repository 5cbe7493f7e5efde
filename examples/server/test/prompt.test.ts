import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', 'bin', 'kluis-server.js');
/** util-linux `script` gives the command a pseudo-terminal, so the prompt runs as an operator meets it. */
const hasScript = spawnSync('script', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'kluis-server-prompt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `kluis-server ARGS` on a pseudo-terminal and types `keys` once the prompt is on screen. */
function onTerminal(args: string[], keys: string): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, bin, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '', TERM: 'dumb', HOME: dir },
  });
  let screen = '';
  let typed = false;
  child.stdout.on('data', (b: Buffer) => {
    screen += b.toString();
    if (!typed && screen.includes('password for')) {
      typed = true;
      child.stdin.write(keys);
    }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, screen })));
}

describe.skipIf(!hasScript)('the server password prompt on a terminal', { timeout: 30_000 }, () => {
  it('reads the password without echoing it', async () => {
    const r = await onTerminal(['account', 'add', 'dora', '--data', join(dir, 'data')], 'a long secret\r');
    expect(r.code).toBe(0);
    expect(r.screen).not.toContain('a long secret');
    expect(r.screen).toMatch(/^new password for dora: \r?\n/);
  });

  it('Ctrl-C at the prompt creates nothing and exits non-zero', async () => {
    const r = await onTerminal(['account', 'add', 'eve', '--data', join(dir, 'data')], '\u0003');
    expect(r.code).not.toBe(0);
    const list = spawnSync(process.execPath, [bin, 'account', 'list', '--data', join(dir, 'data')], {
      encoding: 'utf8',
    });
    expect(list.stdout).toContain('dora');
    expect(list.stdout).not.toContain('eve');
  });
});
