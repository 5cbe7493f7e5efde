import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'kluis-server.js');
const APP = 'https://app.example.test';

describe('kluis-server serve --cors-origin, over real HTTP', () => {
  let dir: string;
  let child: ChildProcessWithoutNullStreams;
  let url: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kluis-server-cors-'));
    const args = [
      'serve',
      '--data',
      dir,
      '--port',
      '0',
      '--cors-origin',
      APP,
      '--cors-origin',
      'http://localhost:5173',
    ];
    child = spawn(process.execPath, [bin, ...args]);
    url = await new Promise<string>((resolve, reject) => {
      let err = '';
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
        const m = /listening on (\S+)/.exec(err);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
    });
  });
  afterAll(async () => {
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers preflights from the allowed origins without credentials, and marks their answers', async () => {
    const preflight = (origin: string) =>
      fetch(`${url}alice/laptop/data/`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    const ok = await preflight('http://localhost:5173');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(ok.headers.get('access-control-allow-headers')).toContain('authorization');
    expect((await preflight('https://elsewhere.example.test')).status).toBe(403);
    // An actual request without credentials: 401, readable by the allowed page.
    const anon = await fetch(`${url}alice/laptop/config`, { headers: { origin: APP } });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('access-control-allow-origin')).toBe(APP);
    expect(anon.headers.get('access-control-expose-headers')).toContain('kluis-error');
    const elsewhere = await fetch(`${url}alice/laptop/config`, {
      headers: { origin: 'https://elsewhere.example.test' },
    });
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('reads the origins from the configuration file, and refuses what is not an origin', () => {
    const config = parseConfig({ cors: { origins: [APP], maxAgeSeconds: 60 } }, '/srv');
    expect(config.cors).toEqual({ origins: [APP], maxAgeSeconds: 60 });
    expect(parseConfig({}, '/srv').cors).toBeUndefined();
    expect(() => parseConfig({ cors: { origins: ['https://app.example.test/page'] } }, '/srv')).toThrow(
      /cors\.origins\[0\]: "https:\/\/app\.example\.test\/page" is not an origin/,
    );
    expect(() => parseConfig({ cors: { origins: [] } }, '/srv')).toThrow(/cors\.origins: expected a list/);
    expect(() => parseConfig({ cors: { origin: [APP] } }, '/srv')).toThrow(/cors\.origin: unknown/);
  });
});
