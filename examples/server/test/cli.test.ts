import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { main } from '../src/cli.ts';
import type { CliIo } from '../src/cli-io.ts';
import { parseExpiry, parseSize } from '../src/cli-io.ts';
import { parseConfig } from '../src/config.ts';
import { FAST_SCRYPT } from './_server.ts';

let dir: string;
let out: string[];
let err: string[];
let passwords: string[];

function io(): CliIo {
  return {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: { KLUIS_SERVER_DATA: dir },
    readPassword: async () => passwords.shift() ?? '',
  };
}

/** Runs a command against the test's data directory, with cheap scrypt (from a config file). */
async function run(...argv: string[]): Promise<number> {
  out = [];
  err = [];
  const config = join(dir, 'server.json');
  writeFileSync(config, JSON.stringify({ dataDir: '.', scrypt: FAST_SCRYPT }));
  return main([...argv, '--config', config], io());
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kluis-cli-'));
  passwords = [];
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('kluis-server admin commands', () => {
  it('add, list, re-quota, disable accounts and manage grants, recording who did it', async () => {
    passwords.push('long enough password');
    expect(await run('account', 'add', 'alice', '--quota', '10GiB', '--by', 'ops')).toBe(0);
    expect(out.join('')).toContain('account alice created with role backup');
    passwords.push('short');
    expect(await run('account', 'add', 'bob')).toBe(1);
    expect(err.join('')).toMatch(/at least 8 characters/);
    passwords.push('another long password');
    expect(await run('account', 'add', 'bob', '--role', 'none')).toBe(0);
    expect(
      await run('grant', 'bob', 'restore', '--scope', 'alice/laptop', '--expires', '7d', '--by', 'ops'),
    ).toBe(0);
    expect(out.join('')).toMatch(/^grant 2: bob is restore on alice\/laptop until \d{4}-/);
    expect(await run('grant', 'bob', 'superuser')).toBe(2);
    expect(await run('revoke', '2', '--by', 'auditor-jan')).toBe(0);
    expect(out.join('')).toMatch(/REVOKED by auditor-jan/);
    expect(await run('grants', '--json')).toBe(0);
    const grants = JSON.parse(out.join('')) as { account: string; grantedBy: string }[];
    expect(grants.map((g) => [g.account, g.grantedBy])).toEqual([
      ['alice', 'ops'],
      ['bob', 'ops'],
    ]);
    expect(await run('quota', 'set', 'alice', '20G')).toBe(0);
    expect(await run('account', 'disable', 'bob')).toBe(0);
    expect(await run('account', 'list', '--json')).toBe(0);
    const accounts = JSON.parse(out.join('')) as Record<string, unknown>[];
    expect(accounts).toMatchObject([
      { name: 'alice', quotaBytes: 20e9 },
      { name: 'bob', disabledAt: expect.any(Number) },
    ]);
    expect(accounts[0]).not.toHaveProperty('disabledAt');
    expect(JSON.stringify(accounts)).not.toContain('scrypt');
    expect(await run('account', 'retention', 'alice', '--days', '14', '--protect-days', '10d')).toBe(0);
    expect(out.join('')).toBe(
      'account alice keeps 14 days; objects younger than 10 days can be deleted by an admin only\n',
    );
    expect(await run('account', 'retention', 'alice', '--days', 'a week')).toBe(2);
    expect(await run('account', 'list')).toBe(0);
    expect(out.join('')).toMatch(
      /^alice {2}used 0 B of 18\.6 GiB {2}retention 14 d, protected 10 d\nbob .* retention 7 d, protected 7 d {2}disabled/,
    );
  });

  it('tails the access log with filters', async () => {
    passwords.push('long enough password');
    await run('account', 'add', 'alice');
    const config = parseConfig({ dataDir: dir, scrypt: FAST_SCRYPT }, dir);
    const app = await createApp({ config });
    const auth = `Basic ${Buffer.from('alice:wrong').toString('base64')}`;
    for (let i = 0; i < 3; i++) {
      await app.handler(new Request('http://h/alice/r/data/', { headers: { authorization: auth } }), {
        clientAddress: '192.0.2.9',
      });
    }
    await app.close();
    expect(await run('log', 'tail', '-n', '2', '--event', 'login-failed')).toBe(0);
    const lines = out.join('').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      user: 'alice',
      address: '192.0.2.9',
      reason: 'wrong password',
    });
  });

  it('explains bad input', async () => {
    expect(await run('frobnicate')).toBe(2);
    expect(await run('account', 'add', 'alice', '--bogus')).toBe(2);
    expect(err.join('')).toBe(
      'kluis-server: account add: unknown option --bogus (see kluis-server account add --help)\n',
    );
    expect(await run('--help')).toBe(0);
    expect(out.join('')).toContain('kluis-server serve');
    expect(parseSize('1.5k')).toBe(1500);
    expect(parseSize('2MiB')).toBe(2 * 2 ** 20);
    expect(() => parseSize('lots')).toThrow(/invalid size/);
    expect(parseExpiry('2h', 0)).toBe(7_200_000);
    expect(parseExpiry('2027-01-01T00:00:00Z', 0)).toBe(Date.parse('2027-01-01T00:00:00Z'));
    expect(() => parseExpiry('soon', 0)).toThrow(/invalid expiry/);
  });
});
