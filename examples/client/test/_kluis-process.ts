import { spawn } from 'node:child_process';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '..', 'bin', 'kluis.js');

/** Runs the built `kluis` command as a child process; stdout is kept as bytes. */
export function kluisProcess(
  args: string[],
  env: Record<string, string>,
  options: { input?: Uint8Array | string; cwd?: string } = {},
): Promise<{ code: number | null; out: Buffer; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, KLUIS_THREADS: '0', ...env },
      cwd: options.cwd,
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out: Buffer.concat(out), err }));
    child.stdin.end(options.input ?? '');
  });
}
