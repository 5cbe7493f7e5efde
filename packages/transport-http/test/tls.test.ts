import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KluisError } from '@kluis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpTransport } from '../src/index';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A throwaway self-signed certificate for `san` (e.g. `IP:127.0.0.1`), as PEM files in `dir`. */
function selfSigned(dir: string, name: string, san: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'],
      ...['-keyout', key, '-out', cert, '-subj', '/CN=kluis-test', '-addext', `subjectAltName=${san}`],
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

/** An HTTPS server on 127.0.0.1 with the given certificate, holding a 3-byte `config`. */
async function serve(pem: { cert: string; key: string }): Promise<{ server: Server; url: string }> {
  const server = createServer(
    { cert: await readFile(pem.cert), key: await readFile(pem.key) },
    (req, res) => {
      const found = req.url === '/config';
      res.writeHead(found ? 200 : 404, { 'content-length': found ? '3' : '0' }).end();
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** Runs the stat child with NODE_EXTRA_CA_CERTS set; its one line of output. */
function statWithCa(url: string, ca: string): Promise<string> {
  const child = join(import.meta.dirname, 'fixtures', 'stat-child.ts');
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--conditions=@kluis/source', '--import', 'tsx', child, url], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: ca },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.on('error', reject);
    p.on('exit', () => resolve(out.trim()));
  });
}

describe.skipIf(!hasOpenssl())('httpTransport over HTTPS with a certificate it does not trust', () => {
  let dir: string;
  const servers: Server[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kluis-tls-'));
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('says the certificate was refused and how to trust it, and does not retry', async () => {
    const pem = selfSigned(dir, 'self', 'IP:127.0.0.1');
    const { server, url } = await serve(pem);
    servers.push(server);
    const e = await httpTransport({ url })
      .stat('config')
      .catch((x: unknown) => x);
    expect(KluisError.is(e, 'UNAVAILABLE')).toBe(true);
    expect((e as KluisError).retryable).toBe(false);
    expect((e as Error).message).toBe(
      "stat config: the server's TLS certificate was refused: it is self-signed [DEPTH_ZERO_SELF_SIGNED_CERT] (to trust it, point NODE_EXTRA_CA_CERTS at a PEM file holding its CA certificate, or the certificate itself)",
    );
    // The advice works.
    expect(await statWithCa(url, pem.cert)).toBe('OK 3');
  });

  it('names a certificate issued for another host', async () => {
    const pem = selfSigned(dir, 'other', 'IP:127.0.0.2');
    const { server, url } = await serve(pem);
    servers.push(server);
    // Trusted, but for another address.
    expect(await statWithCa(url, pem.cert)).toMatch(
      /^UNAVAILABLE stat config: the server's TLS certificate was refused: it does not name this host: use the host name it was issued for \[ERR_TLS_CERT_ALTNAME_INVALID\]$/,
    );
  });
});
