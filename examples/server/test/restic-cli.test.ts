import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, spawnServer } from './_process.ts';
import { FAST_SCRYPT } from './_server.ts';

// restic's own client, the Debian package's binary, against the `kluis-server` command (the built
// server, as an operator runs it) over HTTP on 127.0.0.1, with an account of the append-only
// `backup` role created by the server's own CLI: everything a restic user does day to day.

const bin = join(import.meta.dirname, '..', 'bin', 'kluis-server.js');
const run = promisify(execFile);

function hasRestic(): boolean {
  try {
    // Installed from Debian's packages when missing, so this runs on a fresh machine.
    execFileSync('bash', [join(import.meta.dirname, '../../../scripts/ensure-debian-package.sh'), 'restic'], {
      stdio: 'ignore',
    });
  } catch {
    // reported by the check below
  }
  try {
    execFileSync('restic', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Access {
  user?: string;
  method: string;
  status: number;
  op?: string;
  type?: string;
}

describe.skipIf(!hasRestic())('restic against kluis-server', () => {
  let dir: string;
  let server: ServerProcess;
  let repo: string;
  const accessLog = () =>
    readFileSync(join(dir, 'data', 'access.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Access);
  const env = () => ({
    ...process.env,
    RESTIC_REPOSITORY: repo,
    RESTIC_PASSWORD: 'restic repository password',
    RESTIC_CACHE_DIR: join(dir, 'restic-cache'),
  });
  const restic = async (...args: string[]) =>
    (await run('restic', args, { env: env(), maxBuffer: 1 << 24 })).stdout;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kluis-restic-cli-'));
    const config = join(dir, 'server.json');
    writeFileSync(
      config,
      JSON.stringify({
        dataDir: join(dir, 'data'),
        port: 0,
        scrypt: FAST_SCRYPT,
        maintenance: { mode: 'off' },
      }),
    );
    // The password on standard input, as `account add` reads it when not at a terminal.
    await new Promise<void>((resolve, reject) => {
      const child = execFile(
        process.execPath,
        [bin, 'account', 'add', 'alice', '--role', 'backup', '--config', config, '--by', 'test'],
        (e) => (e ? reject(e) : resolve()),
      );
      child.stdin?.end('alice account password\n');
    });
    server = await spawnServer(process.execPath, [bin, 'serve', '--config', config]);
    const u = new URL(server.url);
    repo = `rest:${u.protocol}//alice:${encodeURIComponent('alice account password')}@${u.host}/alice/restic/`;
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('inits, backs up twice, lists, restores and checks every byte; leaves no lock behind', {
    timeout: 180_000,
  }, async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'docs'), { recursive: true });
    for (let i = 0; i < 200; i++)
      writeFileSync(join(src, 'docs', `note-${i}.txt`), `note ${i}\n`.repeat(i + 1));
    // Large enough for several blobs and range reads of packs on restore.
    const big = randomBytes(6 << 20);
    writeFileSync(join(src, 'big.bin'), big);

    await restic('init');
    await restic('backup', src, '--host', 'test');
    writeFileSync(join(src, 'docs', 'added.txt'), 'written between the backups\n');
    // The second backup reads the index and the parent's trees back from the server.
    await restic('backup', src, '--host', 'test');
    const snapshots = JSON.parse(await restic('snapshots', '--json')) as { id: string; parent?: string }[];
    expect(snapshots).toHaveLength(2);
    expect(snapshots[1]!.parent).toBe(snapshots[0]!.id);

    const out = join(dir, 'out');
    await restic('restore', 'latest', '--target', out);
    const restored = join(out, src);
    expect(readFileSync(join(restored, 'big.bin')).equals(big)).toBe(true);
    expect(readFileSync(join(restored, 'docs', 'note-199.txt'), 'utf8')).toBe('note 199\n'.repeat(200));
    expect(readFileSync(join(restored, 'docs', 'added.txt'), 'utf8')).toBe('written between the backups\n');

    await restic('check', '--read-data');
    // Every command removed its lock: the backup role may delete lock files, and nothing else.
    expect((await restic('list', 'locks', '--no-lock')).trim()).toBe('');

    const log = accessLog().filter((e) => e.user === 'alice');
    // Every upload was verified against its name and stored; nothing failed on the server's side.
    expect(log.filter((e) => e.status >= 500)).toEqual([]);
    expect(log.filter((e) => e.op === 'write' && e.status !== 200)).toEqual([]);
    expect(log.some((e) => e.op === 'write' && e.type === 'data')).toBe(true);
    // restic read pack ranges (restore, check) and probed the config with HEAD.
    expect(log.some((e) => e.op === 'read' && e.type === 'data' && e.status === 206)).toBe(true);
    expect(log.some((e) => e.method === 'HEAD' && e.type === 'config' && e.status === 200)).toBe(true);
    expect(
      log.filter((e) => e.method === 'DELETE').every((e) => e.type === 'locks' && e.status === 200),
    ).toBe(true);
  });
});
