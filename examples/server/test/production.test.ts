import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli.ts';
import type { CliIo } from '../src/cli-io.ts';
import { spawnServer, until } from './_process.ts';
import { basic, FAST_SCRYPT } from './_server.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'kluis-server.js');
let dir: string;
let out: string[];
let err: string[];

function io(passwords: string[] = []): CliIo {
  return {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: {},
    readPassword: async () => passwords.shift() ?? '',
  };
}

async function run(argv: string[], passwords: string[] = []): Promise<number> {
  out = [];
  err = [];
  return main([...argv, '--config', join(dir, 'server.json')], io(passwords));
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kluis-prod-'));
  writeFileSync(join(dir, 'server.json'), JSON.stringify({ dataDir: '.', port: 0, scrypt: FAST_SCRYPT }));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('running in production', () => {
  it('reopens the access log on SIGHUP: lines after rotation go to the new file, none are lost', {
    timeout: 60_000,
  }, async () => {
    expect(await run(['account', 'add', 'alice'], ['alice password 1'])).toBe(0);
    const server = await spawnServer(process.execPath, [bin, 'serve', '--config', join(dir, 'server.json')]);
    try {
      const log = join(dir, 'access.log');
      const get = () =>
        fetch(`${server.url}/alice/laptop/config`, {
          headers: { authorization: basic('alice', 'alice password 1') },
        }).then((r) => r.status);
      expect(await get()).toBe(404);
      renameSync(log, `${log}.1`); // what logrotate does first
      expect(await get()).toBe(404); // still written to the moved file
      server.child.kill('SIGHUP'); // then: systemctl reload
      await until(() => server.stderr().includes('SIGHUP: access log reopened'));
      expect(await get()).toBe(404);
      const lines = (f: string) =>
        readFileSync(f, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { user?: string });
      expect(lines(`${log}.1`)).toHaveLength(2);
      expect(lines(log)).toHaveLength(1);
      expect(lines(log)[0]!.user).toBe('alice');
      expect(statSync(log).mode & 0o777).toBe(0o600);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('db backup copies the accounts database while the server runs, and refuses to overwrite', {
    timeout: 60_000,
  }, async () => {
    expect(await run(['account', 'add', 'alice', '--quota', '1GiB'], ['alice password 1'])).toBe(0);
    expect(await run(['account', 'add', 'bob', '--role', 'none'], ['bob password 12'])).toBe(0);
    expect(await run(['grant', 'bob', 'restore', '--scope', 'alice'])).toBe(0);
    const server = await spawnServer(process.execPath, [bin, 'serve', '--config', join(dir, 'server.json')]);
    try {
      const copy = join(dir, 'backups', 'accounts-copy.db');
      expect(await run(['db', 'backup', copy]), err.join('')).toBe(0);
      expect(out.join('')).toMatch(/backed up .* \(2 accounts\)/);
      expect(statSync(copy).mode & 0o777).toBe(0o600);
      const db = new Database(copy, { readonly: true });
      try {
        const names = db.prepare('SELECT name, quota_bytes FROM accounts ORDER BY name').all();
        expect(names).toEqual([
          { name: 'alice', quota_bytes: 2 ** 30 },
          { name: 'bob', quota_bytes: null },
        ]);
        const grants = db.prepare("SELECT account, role, scope FROM grants WHERE role = 'restore'").all();
        expect(grants).toEqual([{ account: 'bob', role: 'restore', scope: 'alice' }]);
      } finally {
        db.close();
      }
      // The server still answers with the copy taken, and a second backup never overwrites.
      const res = await fetch(`${server.url}/-/health`);
      expect(res.status).toBe(200);
      expect(await run(['db', 'backup', copy])).toBe(1);
      expect(err.join('')).toMatch(/exists: back up to a new file/);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(existsSync(join(dir, 'backups'))).toBe(true);
  });
});
