import { memoryTransport } from '@kluis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestHandler, type Principal } from '../src/index';
import { spyStore, startServer, type TestServer } from './_helpers';

const APP = 'http://app.example.test:5173';
const OTHER = 'https://evil.example.test';
const alice: Principal = { name: 'alice' };
const authorization = `Basic ${btoa('alice:secret')}`;

function preflight(url: string, origin: string, method = 'POST', headers = 'authorization, content-type') {
  return fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });
}

describe('CORS', () => {
  let logins = 0;
  const spy = spyStore();
  let server: TestServer;
  let plain: TestServer;
  const authenticate = (request: Request) => {
    logins++;
    return request.headers.get('authorization') === authorization ? alice : undefined;
  };
  beforeAll(async () => {
    server = await startServer(
      spy.store,
      { authenticate },
      { cors: { origins: [APP], headers: ['x-trace'] } },
    );
    plain = await startServer(memoryTransport(), { authenticate });
  });
  afterAll(async () => {
    await server.close();
    await plain.close();
  });

  it('is off by default: OPTIONS is 405 and answers carry no CORS headers', async () => {
    const pre = await preflight(`${plain.url}alice/data/`, APP);
    expect(pre.status).toBe(405);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${plain.url}alice/config`, { headers: { origin: APP, authorization } });
    expect(get.status).toBe(404);
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a preflight from an allowed origin without authentication or storage', async () => {
    const before = { logins, calls: spy.calls.length };
    const res = await preflight(`${server.url}alice/laptop/data/${'ab'.repeat(32)}`, APP);
    expect(res.status).toBe(204);
    expect(Object.fromEntries([...res.headers].filter(([k]) => k.startsWith('access-control-')))).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-methods': 'GET, HEAD, POST, DELETE',
      'access-control-allow-headers': 'authorization, accept, content-type, range, x-trace',
      'access-control-max-age': '600',
    });
    expect(res.headers.get('vary')).toBe('Origin');
    expect({ logins, calls: spy.calls.length }).toEqual(before);
  });

  it('refuses a preflight from any other origin, and gives it nothing to read', async () => {
    const res = await preflight(`${server.url}alice/data/`, OTHER);
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets an allowed origin read answers and the headers the client needs; others get no CORS headers', async () => {
    const id = 'cd'.repeat(32);
    const body = new Uint8Array([1, 2, 3]);
    const put = await fetch(`${server.url}alice/config`, {
      method: 'POST',
      headers: { origin: APP, authorization, 'content-type': 'application/octet-stream' },
      body,
    });
    expect(put.status).toBe(200);
    expect(put.headers.get('access-control-allow-origin')).toBe(APP);
    const exposed = put.headers.get('access-control-expose-headers')?.split(', ');
    expect(exposed).toEqual(
      expect.arrayContaining(['content-range', 'kluis-create-only', 'kluis-error', 'retry-after']),
    );
    // Failures are readable too: 401 (so a page can ask for a password) and 404.
    const anon = await fetch(`${server.url}alice/keys/${id}`, { headers: { origin: APP } });
    expect([anon.status, anon.headers.get('access-control-allow-origin')]).toEqual([401, APP]);
    const missing = await fetch(`${server.url}alice/keys/${id}`, { headers: { origin: APP, authorization } });
    expect([missing.status, missing.headers.get('kluis-error')]).toEqual([404, 'not-found']);
    expect(missing.headers.get('access-control-allow-origin')).toBe(APP);
    const other = await fetch(`${server.url}alice/config`, { headers: { origin: OTHER, authorization } });
    expect(other.status).toBe(200); // CORS is not authentication: the browser hides it, not the server
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('access-control-expose-headers')).toBeNull();
    expect(other.headers.get('vary')).toBe('Origin');
    // A plain OPTIONS (not a preflight) is still 405.
    expect(
      (await fetch(`${server.url}alice/config`, { method: 'OPTIONS', headers: { origin: APP } })).status,
    ).toBe(405);
  });

  it('refuses options that are not origins', () => {
    const make = (cors: { origins: string[]; maxAgeSeconds?: number }) =>
      createRestHandler(memoryTransport(), {}, { cors });
    expect(() => make({ origins: [] })).toThrow(TypeError);
    expect(() => make({ origins: ['https://app.example.org/path'] })).toThrow(/not an origin/);
    expect(() => make({ origins: ['app.example.org'] })).toThrow(/not an origin/);
    expect(() => make({ origins: ['*'], maxAgeSeconds: -1 })).toThrow(RangeError);
    expect(() => make({ origins: ['*', 'http://localhost:8080'] })).not.toThrow();
  });
});
