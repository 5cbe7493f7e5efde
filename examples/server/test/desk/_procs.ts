import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localTime } from '../../src/desk/messages.ts';

const serverBin = join(import.meta.dirname, '..', '..', 'bin', 'kluis-server.js');
const clientBin = join(import.meta.dirname, '..', '..', '..', 'client', 'bin', 'kluis.js');

/** Runs a built command as a child process; resolves with its exit code and output. */
export function run(
  which: 'server' | 'client',
  args: string[],
  o: { env?: Record<string, string>; input?: string } = {},
): Promise<{ code: number | null; out: string; err: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [which === 'server' ? serverBin : clientBin, ...args], {
      env: { ...process.env, KLUIS_THREADS: '0', ...o.env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err, ms: Date.now() - t0 }));
    child.stdin.end(o.input ?? '');
  });
}

/** `kluis-server serve` on a free port of 127.0.0.1; resolves once it listens. */
export async function serve(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ url: string; stop: () => Promise<void>; child: ChildProcessWithoutNullStreams }> {
  const child = spawn(process.execPath, [serverBin, 'serve', '--port', '0', ...args], {
    env: { ...process.env, ...env },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /listening on (\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `2026-03-28 17:00 (+01:00)` in `zone`, as the client prints local times (the desk's format). */
export function localIn(iso: string, zone: string): string {
  return localTime(Date.parse(iso), zone);
}

/**
 * A configuration file for `kluis-server` commands on the same data directory and accounts
 * database as the test server `s` (an SQLite file there, or its PostgreSQL database).
 */
export function cliConfig(s: { dir: string; config: { database: string } }): string {
  const file = join(s.dir, 'cli.json');
  writeFileSync(file, JSON.stringify({ dataDir: s.dir, database: s.config.database }));
  return file;
}
