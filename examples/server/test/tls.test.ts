import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLoopback, listen } from '../src/listen.ts';
import { basic, startServer } from './_server.ts';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function get(url: string, ca: Buffer, auth: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { authorization: auth } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('transport security', () => {
  it.skipIf(!hasOpenssl())('serves HTTPS with the configured certificate and key', async () => {
    const s = await startServer();
    try {
      const cert = join(s.dir, 'cert.pem');
      const key = join(s.dir, 'key.pem');
      // A throwaway self-signed certificate; the SAN lets the client verify 127.0.0.1.
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-days',
          '1',
          '-keyout',
          key,
          '-out',
          cert,
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
      const pw = await s.addAccount('alice');
      const config = { ...s.config, tls: { cert, key } };
      const tlsServer = await listen(s.app, config);
      try {
        expect(tlsServer.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
        const res = await get(
          new URL('/alice/r/data/', tlsServer.url).href,
          readFileSync(cert),
          basic('alice', pw),
        );
        expect(res.status).toBe(200);
        await expect(get(tlsServer.url, Buffer.from(''), basic('alice', pw))).rejects.toThrow();
      } finally {
        await tlsServer.close();
      }
    } finally {
      await s.close();
    }
  });

  it('refuses plain HTTP on a non-loopback address unless told otherwise', async () => {
    const s = await startServer();
    try {
      await expect(listen(s.app, { ...s.config, host: '0.0.0.0' })).rejects.toThrow(/refusing plain HTTP/);
      await expect(listen(s.app, { ...s.config, host: '192.0.2.1' })).rejects.toThrow(/--insecure-http/);
      expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopback)).toBe(true);
      expect(['0.0.0.0', '::', '10.0.0.1', '128.0.0.1'].some(isLoopback)).toBe(false);
    } finally {
      await s.close();
    }
  });
});
