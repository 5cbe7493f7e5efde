import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redact } from '../src/redact.ts';
import { FAST_SCRYPT } from './_server.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'kluis-server.js');
const SECRET = 'S3cr3t-token';

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('kluis-server never logs a password of a URL', () => {
  it('an unreachable alert webhook with credentials is logged without them', {
    timeout: 60_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kluis-server-redact-'));
    try {
      const alertWebhook = `http://ops:${SECRET}@127.0.0.1:${await closedPort()}/alert`;
      const config = join(dir, 'server.json');
      const lockout = { maxFailures: 1, windowMs: 60_000, baseLockMs: 60_000, maxLockMs: 60_000 };
      writeFileSync(
        config,
        JSON.stringify({ dataDir: '.', port: 0, scrypt: FAST_SCRYPT, lockout, alertWebhook }),
      );
      const child = spawn(process.execPath, [bin, 'serve', '--config', config]);
      let err = '';
      const seen = (pattern: RegExp) =>
        new Promise<RegExpExecArray>((resolve, reject) => {
          const check = () => {
            const m = pattern.exec(err);
            if (m) resolve(m);
          };
          child.stderr.on('data', (b: Buffer) => {
            err += b.toString();
            check();
          });
          child.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
          check();
        });
      const url = (await seen(/listening on (\S+)/))[1]!;
      const guess = `Basic ${Buffer.from('mallory:guess').toString('base64')}`;
      expect((await fetch(`${url}mallory/data/`, { headers: { authorization: guess } })).status).toBe(401);
      await seen(/alert webhook .* failed: .*\n/);
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      expect(err).toMatch(/alert webhook http:\/\/127\.0\.0\.1:\d+\/alert failed: fetch failed \(/);
      expect(err).not.toContain(SECRET);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('redact hides the password of every URL and keeps the rest', () => {
    expect(
      redact(`webhook https://ops:${SECRET}@hooks.example.org/x failed; s3:http://k:p@ss@10.0.0.1/b`),
    ).toBe('webhook https://ops:***@hooks.example.org/x failed; s3:http://k:***@10.0.0.1/b');
    expect(redact('listening on http://127.0.0.1:8000/ for alice@example.org')).toBe(
      'listening on http://127.0.0.1:8000/ for alice@example.org',
    );
  });
});
