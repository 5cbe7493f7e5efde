import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { openStorage } from '../src/storage.ts';

describe('server configuration', () => {
  it('fills defaults and resolves paths against the configuration file', () => {
    const c = parseConfig({ dataDir: 'data' }, '/etc/kluis');
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8000,
      database: '/etc/kluis/data/accounts.db',
      accessLog: '/etc/kluis/data/access.log',
      storage: { kind: 'local', root: '/etc/kluis/data/storage' },
      tls: undefined,
      insecureHttp: false,
      maintenance: { mode: 'unavailable' },
      lockout: { maxFailures: 5 },
      scrypt: { N: 32768, r: 8, p: 1 },
    });
    expect(parseConfig({ tls: { cert: 'c.pem', key: 'k.pem' } }, '/srv').tls).toEqual({
      cert: '/srv/c.pem',
      key: '/srv/k.pem',
    });
  });

  it('refuses typos and bad values with the field named', () => {
    expect(() => parseConfig({ prot: 1 }, '/')).toThrow(/prot: unknown setting/);
    expect(() => parseConfig({ port: 70000 }, '/')).toThrow(/port: expected a whole number/);
    expect(() => parseConfig({ storage: { kind: 'ftp' } }, '/')).toThrow(/storage.kind/);
    expect(() => parseConfig({ storage: { kind: 's3', url: 'bucket' } }, '/')).toThrow(/storage.url/);
    expect(() => parseConfig({ maintenance: { mode: 'sometimes' } }, '/')).toThrow(/maintenance.mode/);
    expect(() => parseConfig({ alertWebhook: 'ftp://x' }, '/')).toThrow(/alertWebhook/);
    expect(() => parseConfig({ tls: { cert: 'c.pem' } }, '/')).toThrow(/tls.key/);
  });

  it('opens S3 storage from a restic-style URL without touching the network', async () => {
    const c = parseConfig({ storage: { kind: 's3', url: 's3:http://127.0.0.1:9/backups/kluis' } }, '/');
    const storage = await openStorage(c.storage);
    expect(storage.name).toBe('s3:http://127.0.0.1:9/backups/kluis/');
    expect(storage.repository('alice/laptop').name).toContain('backups');
  });
});
