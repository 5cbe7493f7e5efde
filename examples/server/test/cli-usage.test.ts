import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_COMMANDS, type Command, GRANT_COMMANDS, QUOTA_COMMANDS } from '../src/cli-admin.ts';
import { LOG_COMMANDS } from '../src/cli-log.ts';
import { SERVE_COMMAND } from '../src/cli-serve.ts';

// Every command of the built `kluis-server`, run as a child process in an empty working directory
// with no KLUIS_SERVER_DATA: help and usage errors must answer without creating anything there
// (no ./kluis-data, no accounts.db) and without a stack trace.
const bin = join(import.meta.dirname, '..', 'bin', 'kluis-server.js');
const COMMANDS: Command[] = [
  SERVE_COMMAND,
  ...Object.values(ACCOUNT_COMMANDS),
  ...Object.values(GRANT_COMMANDS),
  ...Object.values(QUOTA_COMMANDS),
  ...Object.values(LOG_COMMANDS),
];

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'kluis-server-usage-'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

interface Result {
  code: number | null;
  out: string;
  err: string;
}

function run(args: string[]): Promise<Result> {
  const { KLUIS_SERVER_DATA: _, ...env } = process.env;
  const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

/** Runs every argument list, four processes at a time. */
async function runAll(list: string[][]): Promise<Result[]> {
  const results: Result[] = [];
  for (let i = 0; i < list.length; i += 4)
    results.push(...(await Promise.all(list.slice(i, i + 4).map(run))));
  return results;
}

describe('kluis-server help and usage errors, through the built command', () => {
  it('prints the help of every command, listing every flag, and touches nothing', async () => {
    const cases = [
      ['--help'],
      ['account', '--help'],
      ['log', '--help'],
      ['quota', '-h'],
      ...COMMANDS.map((c) => [...c.spec.name.split(' '), '--help']),
      ['grants', 'alice', '--json', '-h'],
    ];
    const results = await runAll(cases);
    results.forEach((r, i) => {
      const args = cases[i]!.join(' ');
      expect({ args, code: r.code, err: r.err }).toEqual({ args, code: 0, err: '' });
      expect(r.out, args).toMatch(/^(kluis-server: |usage:)/);
      // Fits an 80-column terminal.
      expect(
        r.out.split('\n').filter((l) => l.length > 80),
        args,
      ).toEqual([]);
    });
    COMMANDS.forEach((c, i) => {
      const help = results[4 + i]!.out;
      expect(help).toContain(`usage: kluis-server ${c.spec.name}`);
      for (const [flag, spec] of Object.entries(c.spec.flags)) {
        // Each flag on its own line, followed by its sentence.
        const shown = `--${flag}${spec.arg ? ` ${spec.arg}` : ''}`.replace(/[[\]|/]/g, '\\$&');
        expect(help).toMatch(new RegExp(`${shown} +\\w`));
      }
    });
    expect(results[1]!.out).toContain('kluis-server account retention NAME');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('refuses a wrong command line with one line and exit code 2, touching nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['serv'], /unknown command "serv": did you mean "serve"\?/],
      [['frobnicate'], /unknown command "frobnicate": one of serve, account, grant/],
      [['--data', 'x'], /give a command before the option --data/],
      [['serve', '--maintenance-mode', 'bogus'], /^kluis-server: serve: --maintenance-mode must be/],
      [['serve', '--port', '99999'], /--port: expected a port number/],
      [['serve', 'now'], /serve: unexpected argument "now"/],
      [['serve', '--tls-cert', 'c.pem'], /--tls-cert and --tls-key go together/],
      [['serve', '--port'], /--port needs a value/],
      [['serve', '--cors-origin', 'app.example.org'], /--cors-origin: "app.example.org" is not an origin/],
      [['account'], /account: name a subcommand: add, list/],
      [['account', 'ad', 'alice'], /account: unknown subcommand "ad": did you mean "add"\?/],
      [['account', 'add', 'alice', '--quotaa', '1G'], /unknown option --quotaa: did you mean --quota\?/],
      [['account', 'add', 'alice', '--role', 'root'], /account add: role must be one of/],
      [['account', 'add', 'alice', '--quota', 'lots'], /account add: invalid size "lots"/],
      [['account', 'list', 'extra'], /account list: unexpected argument "extra"/],
      [['account', 'list', '--json=yes'], /--json takes no value/],
      [['account', 'passwd'], /account passwd: missing NAME/],
      [['account', 'disable', 'alice', 'bob'], /unexpected argument "bob"/],
      [['account', 'enable', 'alice', '--json'], /account enable: unknown option --json/],
      [['account', 'retention', 'alice', '--days', 'soon'], /--days: expected a whole number of days/],
      [['account', 'retention', 'alice'], /account retention: give --days N/],
      [['grant', 'alice', 'superuser'], /grant: role must be one of/],
      [['grant', 'alice', 'backup', '--expires', 'soon'], /grant: invalid expiry "soon"/],
      [['grant', 'alice'], /grant: missing ROLE/],
      [['grants', 'alice', 'bob'], /grants: unexpected argument "bob"/],
      [['revoke', 'seven'], /revoke: give the grant id/],
      [['quota', 'set', 'alice', 'lots'], /quota set: invalid size "lots"/],
      [['quota', 'sett', 'alice', '1G'], /quota: unknown subcommand "sett": did you mean "set"\?/],
      [['log'], /log: name a subcommand: tail/],
      [['log', 'tial'], /log: unknown subcommand "tial": did you mean "tail"\?/],
      [['log', 'tail', '--event', 'bogus'], /log tail: --event must be one of/],
      [['log', 'tail', '-n', 'all'], /log tail: -n: expected a whole number/],
      [['log', 'tail', '--bogus'], /log tail: unknown option --bogus/],
    ];
    const results = await runAll(cases.map(([args]) => args));
    results.forEach((r, i) => {
      const [args, message] = cases[i]!;
      expect({ args, code: r.code, out: r.out }).toEqual({ args, code: 2, out: '' });
      // One line, naming the help to read; no stack trace.
      expect(r.err, args.join(' ')).toMatch(/^kluis-server: [^\n]+ \(see kluis-server [a-z ]*--help\)\n$/);
      expect(r.err, args.join(' ')).toMatch(message);
    });
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('says what is missing, in one line, when the access log does not exist yet', async () => {
    const [r] = await runAll([['log', 'tail']]);
    expect(r!.code).toBe(1);
    expect(r!.err).toMatch(/^kluis-server: no access log at \S+access\.log yet \(has the server run\?\)\n$/);
    expect(readdirSync(cwd)).toEqual([]);
  });
});
