import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, spyStore, startServer, type TestServer } from './_helpers';

const HOSTILE = [
  '/../config',
  '/alice/../bob/config',
  '/%2e%2e/config',
  '/%2E%2E/%2e%2e/etc/passwd',
  '/data/..%2fconfig',
  '/data%2f..%2fconfig',
  '/data/%2e%2e%2fconfig',
  '/alice\\..\\bob/config',
  '/data\\x',
  '//etc/passwd',
  '/alice//data/',
  '/./config',
  '/data/./x',
  '/.hidden/config',
  '/data/%00',
  '/data/a%00b',
  '/alice/data/x/y',
  '/data/x/',
  '/config/',
  '/alice/config/x',
  '/a%20b/config',
  '/a:b/config',
  '/~alice/config',
  '/%61lice/config',
  `/data/${'a'.repeat(300)}`,
  `/${'x/'.repeat(1100)}config`,
];

describe('path traversal and malformed paths', () => {
  const spy = spyStore();
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(spy.store, { authorize: () => true });
  });
  afterAll(() => server.close());

  const cases = HOSTILE.map((p) => [p.length > 60 ? `${p.slice(0, 60)}…` : p, p] as const);
  it.each(cases)('refuses %s with 400 before touching the store', async (_, path) => {
    spy.calls.length = 0;
    for (const method of ['GET', 'HEAD', 'DELETE']) {
      const res = await rawRequest(server.url, method, path);
      expect(res.status, `${method} ${path}`).toBe(400);
    }
    expect(spy.calls).toEqual([]);
  });

  it('serves the same paths in their valid form', async () => {
    expect((await rawRequest(server.url, 'GET', '/alice/config')).status).toBe(404);
    expect((await rawRequest(server.url, 'GET', '/alice/laptop/data/')).status).toBe(200);
    expect(spy.calls).toEqual(['get config', 'list data/']);
  });
});
