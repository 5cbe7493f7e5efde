import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES, optionsOf } from '../src/main.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'kluis.js');
const cwd = mkdtempSync(join(tmpdir(), 'kluis-help-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/** Runs the built `kluis` in a child process, in an empty directory, with no repository set. */
async function kluis(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const env = { PATH: process.env.PATH ?? '', HOME: cwd, XDG_CONFIG_HOME: cwd };
  try {
    const r = await promisify(execFile)(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8' });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

describe('kluis COMMAND --help, through the real command', { timeout: 60_000 }, () => {
  it.each(COMMAND_NAMES)(
    '%s --help lists every flag with a sentence, exits 0, touches nothing',
    async (name) => {
      const r = await kluis(name, '--help');
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^usage: kluis ${name}`));
      for (const [flag, o] of Object.entries(await optionsOf(name))) {
        const line = r.out.split('\n').find((l) => l.includes(`--${flag} `) || l.endsWith(`--${flag}`));
        expect(line, `--${flag}`).toBeDefined();
        expect(o.help.length).toBeGreaterThan(10);
        expect(r.out.replace(/\s+/g, ' ')).toContain(o.help.split(' ').slice(0, 4).join(' '));
      }
      for (const line of r.out.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
      expect(readdirSync(cwd)).toEqual([]);
    },
  );

  it.each(COMMAND_NAMES)('%s with an unknown flag: one line naming it, exit 2', async (name) => {
    const r = await kluis(name, '--no-such-flag');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trimEnd().split('\n')).toEqual([
      `kluis: unknown option --no-such-flag for ${name}; kluis ${name} --help lists its options`,
    ]);
  });

  it('kluis --help lists every command within 80 columns, exits 0', async () => {
    const r = await kluis('--help');
    expect(r.code).toBe(0);
    for (const name of COMMAND_NAMES) expect(r.out).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    for (const line of r.out.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('forget --help documents --zone', async () => {
    expect((await kluis('forget', '--help')).out).toMatch(/--zone TZ +The IANA time zone/);
  });

  it('a flag typo suggests the nearest flag, in one line without parser text', async () => {
    const r = await kluis('backup', '--exclud', 'x', '/tmp');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'kluis: unknown option --exclud for backup (did you mean --exclude?); kluis backup --help lists its options\n',
    );
    const v = await kluis('restore', 'latest', '--target');
    expect(v.err).toBe('kluis: --target needs a value (DIR); kluis restore --help lists its options\n');
    expect(v.code).toBe(2);
  });

  it('a command typo suggests the nearest command instead of printing the help', async () => {
    const r = await kluis('snapshot');
    expect(r).toEqual({
      code: 2,
      out: '',
      err: 'kluis: unknown command "snapshot" (did you mean snapshots?); kluis --help lists the commands\n',
    });
    expect((await kluis('-r', 'snapshot', 'snapshot')).err).toMatch(
      /^kluis: unknown command "snapshot" \(did/,
    );
    expect((await kluis('toString')).code).toBe(2);
    expect((await kluis('frobnicate')).err).toBe(
      'kluis: unknown command "frobnicate"; kluis --help lists the commands\n',
    );
  });

  it('an unknown option before any command is one line too', async () => {
    expect(await kluis('--verison')).toEqual({
      code: 2,
      out: '',
      err: 'kluis: unknown option --verison (did you mean --version?); kluis --help lists the commands\n',
    });
  });

  it('--version prints the version and exits 0', async () => {
    const r = await kluis('--version');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^kluis \d+\.\d+\.\d+\S* \(Node\.js \d+\.\d+\.\d+\)\n$/);
  });

  it('a usage error of a command is one line that points at its help', async () => {
    const r = await kluis('restore', 'latest');
    expect(r.code).toBe(2);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toContain('kluis restore --help');
  });
});
