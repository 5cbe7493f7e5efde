import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { memoryTransport, type Transport } from '@kluis/core';
import { createRestHandler } from '@kluis/transport-http';
import { type NodeServer, serveNode } from '@kluis/transport-http/node';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redact } from '../src/repository-url';

const bin = join(import.meta.dirname, '..', 'bin', 'kluis.js');
const SECRET = 'S3cr3t-pw';

/** Runs the built `kluis` as a child process; resolves with its exit code and output. */
function kluis(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, KLUIS_PASSWORD: 'repository password', KLUIS_THREADS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString();
  });
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, out, err })),
  );
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('credentials in repository URLs never reach the output', () => {
  let server: NodeServer;
  let host: string;
  beforeAll(async () => {
    const stores = new Map<string, Transport>();
    const store = (repo: string) => {
      if (!stores.has(repo)) stores.set(repo, memoryTransport());
      return stores.get(repo)!;
    };
    const expected = `Basic ${btoa(`alice:${SECRET}`)}`;
    const handler = createRestHandler(store, {
      authenticate: (r) => (r.headers.get('authorization') === expected ? { name: 'alice' } : undefined),
    });
    server = await serveNode(handler);
    host = new URL(server.url).host;
  });
  afterAll(() => server.close());

  it('init, errors from the server and unreachable servers show the URL without its password', {
    timeout: 60_000,
  }, async () => {
    const repo = `http://alice:${SECRET}@${host}/alice/laptop/`;
    const port = await closedPort();
    const [init, json, missing, wrong, unreachable, fromEnv] = await Promise.all([
      kluis(['-r', repo, 'init', '--scrypt-n', '1024']),
      kluis([
        '-r',
        `rest:http://alice:${SECRET}@${host}/alice/desk/`,
        '--json',
        'init',
        '--scrypt-n',
        '1024',
      ]),
      kluis(['-r', `http://alice:${SECRET}@${host}/alice/none/`, 'snapshots', '--debug']),
      kluis(['-r', `http://alice:wrong-${SECRET}@${host}/alice/laptop/`, 'snapshots', '--debug']),
      kluis(['-r', `http://alice:${SECRET}@127.0.0.1:${port}/alice/laptop/`, 'snapshots', '--debug']),
      kluis(['init', '--scrypt-n', '1024'], {
        KLUIS_REPOSITORY: `http://alice:${SECRET}@${host}/alice/env/`,
      }),
    ]);
    expect([init.code, json.code, missing.code, wrong.code, unreachable.code, fromEnv.code]).toEqual([
      0, 0, 1, 3, 1, 0,
    ]);
    expect(init.out).toContain(`created kluis repository `);
    expect(init.out).toContain(` at http://alice:***@${host}/alice/laptop/\n`);
    expect(JSON.parse(json.out)).toMatchObject({ location: `rest:http://alice:***@${host}/alice/desk/` });
    // The transport names the repository once, by its URL without credentials.
    expect(missing.err).toContain(`no kluis repository at http://${host}/alice/none/ `);
    expect(wrong.err).toMatch(/HTTP 401/);
    expect(unreachable.err).toMatch(/network error/);
    expect(fromEnv.out).toContain(`http://alice:***@${host}/alice/env/`);
    for (const r of [init, json, missing, wrong, unreachable, fromEnv]) {
      expect(r.out + r.err).not.toContain(SECRET);
      expect(r.out + r.err).not.toContain('http:http');
    }
  });
});

describe('redact', () => {
  it('hides any password of any URL in a text, keeps everything else', () => {
    const part = fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=%-]{1,20}$/);
    fc.assert(
      fc.property(part, fc.string({ minLength: 1, maxLength: 20 }), part, (user, password, around) => {
        // A password may hold ':' and '@'; never '/', '?', '#' or white space (the URL would not parse).
        fc.pre(!/[\s/?#]/.test(password));
        const text = `${around} at rest:https://${user}:${password}@backup.example.org:8443/r/ (${around})`;
        expect(redact(text)).toBe(
          `${around} at rest:https://${user}:***@backup.example.org:8443/r/ (${around})`,
        );
      }),
    );
    expect(redact('s3:http://key:secret@127.0.0.1:9000/bucket and http://a:b@h/')).toBe(
      's3:http://key:***@127.0.0.1:9000/bucket and http://a:***@h/',
    );
    expect(redact('/srv/backup and http://host/alice/ and user@example.org')).toBe(
      '/srv/backup and http://host/alice/ and user@example.org',
    );
  });
});
