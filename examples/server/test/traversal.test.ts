import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, blob, rawRequest, startServer, type TestServer } from './_server.ts';

let s: TestServer;
let auth: string;
const secret = blob('bob secret');

beforeAll(async () => {
  s = await startServer();
  auth = basic('alice', await s.addAccount('alice'));
  await s.addAccount('bob');
  const res = await s.fetchAs('bob', `/bob/r/data/${secret.id}`, { method: 'POST', body: secret.bytes });
  expect(res.status).toBe(200);
});

afterAll(() => s.close());

describe('hostile paths', () => {
  const id = secret.id;
  const targets = [
    `/alice/../bob/r/data/${id}`,
    `/alice/r/../../bob/r/data/${id}`,
    `/alice/%2e%2e/bob/r/data/${id}`,
    `/alice/%2E%2E/bob/r/data/${id}`,
    `/alice%2f..%2fbob/r/data/${id}`,
    `/alice/r/data/..%2f..%2f..%2fbob%2fr%2fdata%2f${id}`,
    `/alice\\..\\bob/r/data/${id}`,
    `//bob/r/data/${id}`,
    `/alice/./r/data/${id}`,
    `http://127.0.0.1/bob/r/data/${id}`,
    `/alice/r/data/%00${id}`,
    '/alice/r/.hidden/x',
  ];

  it.each(targets)('refuses %s', async (path) => {
    for (const method of ['GET', 'DELETE']) {
      const res = await rawRequest(s.url, { method, path, headers: { authorization: auth } });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body).not.toContain('bob secret');
    }
  });

  it('leaves the target untouched and writes nothing outside the area', async () => {
    const up = blob('planted');
    for (const path of [
      `/alice/../bob/r/data/${up.id}`,
      `/alice/%2e%2e/bob/r/data/${up.id}`,
      `/../data/${up.id}`,
    ]) {
      const res = await rawRequest(s.url, {
        method: 'POST',
        path,
        headers: { authorization: auth },
        body: up.bytes,
      });
      expect(res.status).toBe(400);
    }
    expect((await s.fetchAs('bob', `/bob/r/data/${secret.id}`)).status).toBe(200);
    expect((await s.fetchAs('bob', `/bob/r/data/${up.id}`, { method: 'HEAD' })).status).toBe(404);
  });

  it('rejects malformed requests', async () => {
    const cases = [
      { method: 'PUT', path: `/alice/r/data/${id}` },
      { method: 'POST', path: '/alice/r/data/not-a-hash' },
      { method: 'POST', path: '/alice/r/' },
      { method: 'GET', path: `/alice/r/bogus/${id}` },
    ];
    for (const c of cases) {
      const res = await rawRequest(s.url, {
        ...c,
        headers: { authorization: auth },
        body: new Uint8Array(1),
      });
      expect(res.status, `${c.method} ${c.path}`).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    const rejected = s.accessLog().filter((e) => e.event === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
  });
});
