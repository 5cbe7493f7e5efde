import { memoryTransport } from '@kluis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestHandler } from '../src/index';
import { blob, startServer, type TestServer } from './_helpers';

const V2 = 'application/vnd.x.restic.rest.v2';
const V1 = 'application/vnd.x.restic.rest.v1';

describe('restic REST v2 table, over real HTTP', () => {
  const store = memoryTransport();
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await startServer(store);
    url = `${server.url}repo/`;
  });
  afterAll(() => server.close());

  it('POST {path}?create=true creates (200 also when it exists); a POST without it is 400', async () => {
    expect((await fetch(`${url}?create=true`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${url}?create=true`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(url, { method: 'POST' })).status).toBe(400);
  });

  it('DELETE {path} is 501 unless enabled', async () => {
    const res = await fetch(url, { method: 'DELETE' });
    expect(res.status).toBe(501);
    expect(res.headers.get('kluis-error')).toBe('not-implemented');
  });

  it('HEAD/GET/POST config', async () => {
    expect((await fetch(`${url}config`, { method: 'HEAD' })).status).toBe(404);
    expect((await fetch(`${url}config`)).status).toBe(404);
    const body = new TextEncoder().encode('{"version":1}');
    expect((await fetch(`${url}config`, { method: 'POST', body })).status).toBe(200);
    const head = await fetch(`${url}config`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(body.length));
    const got = await fetch(`${url}config`);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(body);
    expect(await store.stat('config')).toEqual({ key: 'config', size: body.length });
  });

  it('objects: POST, HEAD, GET, DELETE; DELETE of a missing object is 404', async () => {
    const { bytes, id } = await blob(1000);
    expect((await fetch(`${url}data/${id}`, { method: 'HEAD' })).status).toBe(404);
    expect((await fetch(`${url}data/${id}`, { method: 'POST', body: bytes })).status).toBe(200);
    const head = await fetch(`${url}data/${id}`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length')]).toEqual([200, '1000']);
    const got = await fetch(`${url}data/${id}`);
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(bytes);
    expect((await fetch(`${url}data/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${url}data/${id}`)).status).toBe(404);
    expect((await fetch(`${url}data/${id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('lists v2 with sizes and v1 with names, chosen by Accept; an empty type is []', async () => {
    const a = await blob(10, 2);
    const b = await blob(20, 3);
    for (const x of [a, b]) await fetch(`${url}snapshots/${x.id}`, { method: 'POST', body: x.bytes });
    const v2 = await fetch(`${url}snapshots/`, { headers: { accept: V2 } });
    expect(v2.headers.get('content-type')).toBe(V2);
    const entries = (await v2.json()) as { name: string; size: number }[];
    expect(entries.sort((x, y) => x.size - y.size)).toEqual([
      { name: a.id, size: 10 },
      { name: b.id, size: 20 },
    ]);
    const v1 = await fetch(`${url}snapshots/`);
    expect(v1.headers.get('content-type')).toBe(V1);
    expect(((await v1.json()) as string[]).sort()).toEqual([a.id, b.id].sort());
    const empty = await fetch(`${url}locks/`, { headers: { accept: V2 } });
    expect([empty.status, await empty.json()]).toEqual([200, []]);
  });

  it('Range: 206 for bytes=a-b, a- and -n (clamped), 416 past the end, 200 for several ranges', async () => {
    const { bytes, id } = await blob(100, 4);
    await fetch(`${url}data/${id}`, { method: 'POST', body: bytes });
    const cases: [string, number, number][] = [
      ['bytes=10-19', 10, 10],
      ['bytes=90-', 90, 10],
      ['bytes=-5', 95, 5],
      ['bytes=95-200', 95, 5],
    ];
    for (const [range, offset, length] of cases) {
      const res = await fetch(`${url}data/${id}`, { headers: { range } });
      expect(res.status, range).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes ${offset}-${offset + length - 1}/100`);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes.subarray(offset, offset + length));
    }
    const past = await fetch(`${url}data/${id}`, { headers: { range: 'bytes=100-120' } });
    expect([past.status, past.headers.get('content-range')]).toEqual([416, 'bytes */100']);
    const multi = await fetch(`${url}data/${id}`, { headers: { range: 'bytes=0-1,5-6' } });
    expect([multi.status, (await multi.arrayBuffer()).byteLength]).toEqual([200, 100]);
  });

  it('refuses an upload whose SHA-256 is not its name (400) and stores nothing', async () => {
    const { bytes } = await blob(64, 5);
    const wrong = 'ab'.repeat(32);
    const res = await fetch(`${url}index/${wrong}`, { method: 'POST', body: bytes });
    expect([res.status, res.headers.get('kluis-error')]).toEqual([400, 'hash-mismatch']);
    expect(await store.stat(`index/${wrong}`)).toBeUndefined();
    const notHex = await fetch(`${url}data/not-a-hash`, { method: 'POST', body: bytes });
    expect(notHex.status).toBe(400);
  });

  it('does not hash-check key slots and config', async () => {
    const res = await fetch(`${url}keys/slot-1`, { method: 'POST', body: new TextEncoder().encode('{}') });
    expect(res.status).toBe(200);
  });

  it('refuses to overwrite (403 + kluis-error: already-exists)', async () => {
    const { bytes, id } = await blob(32, 6);
    expect((await fetch(`${url}locks/${id}`, { method: 'POST', body: bytes })).status).toBe(200);
    const again = await fetch(`${url}locks/${id}`, { method: 'POST', body: bytes });
    expect([again.status, again.headers.get('kluis-error')]).toEqual([403, 'already-exists']);
    const config = await fetch(`${url}config`, { method: 'POST', body: bytes });
    expect(config.status).toBe(403);
  });

  it('needs Content-Length (411 for a chunked upload)', async () => {
    const { bytes, id } = await blob(32, 7);
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes);
        c.close();
      },
    });
    const res = await fetch(`${url}data/${id}`, { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(411);
    expect(await store.stat(`data/${id}`)).toBeUndefined();
  });

  it('answers 405 with Allow for other methods', async () => {
    const res = await fetch(`${url}data/`, { method: 'POST', body: 'x' });
    expect([res.status, res.headers.get('allow')]).toEqual([405, 'GET']);
    expect((await fetch(`${url}config`, { method: 'PUT', body: 'x' })).status).toBe(405);
  });
});

describe('upload limits and repository deletion', () => {
  it('413 over maxUploadBytes, 400 for a truncated upload, nothing stored either way', async () => {
    const store = memoryTransport();
    const server = await startServer(store, {}, { maxUploadBytes: 1000 });
    try {
      const big = await blob(1001, 8);
      const res = await fetch(`${server.url}data/${big.id}`, { method: 'POST', body: big.bytes });
      expect([res.status, res.headers.get('kluis-error')]).toEqual([413, 'too-large']);
      const { bytes, id } = await blob(500, 9);
      const { brokenUpload } = await import('./_helpers');
      const head = `POST /data/${id} HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n`;
      await brokenUpload(server.url, head, bytes.subarray(0, 200));
      const entry = await server.entry(1);
      expect([entry.status, entry.bytesIn, entry.key]).toEqual([400, 200, `data/${id}`]);
      expect(await store.stat(`data/${id}`)).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('DELETE {path} removes every object when deleteRepository is on', async () => {
    const store = memoryTransport();
    const server = await startServer(store, {}, { deleteRepository: true });
    try {
      const { bytes, id } = await blob(10, 10);
      await fetch(`${server.url}r/data/${id}`, { method: 'POST', body: bytes });
      await fetch(`${server.url}r/config`, { method: 'POST', body: bytes });
      expect((await fetch(`${server.url}r/`, { method: 'DELETE' })).status).toBe(200);
      const left = [];
      for await (const x of store.list('')) left.push(x);
      expect(left).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('the handler without a server (Deno, Bun, service workers)', () => {
  it('answers plain Request objects and reads the client address from Deno-style info', async () => {
    const clients: (string | undefined)[] = [];
    const handler = createRestHandler(memoryTransport(), {
      onAccess: (e) => void clients.push(e.clientAddress),
    });
    const { bytes, id } = await blob(20, 50);
    const post = new Request(`http://x/r/data/${id}`, {
      method: 'POST',
      headers: { 'content-length': '20' },
      body: bytes,
    });
    expect((await handler(post, { remoteAddr: { hostname: '192.0.2.1' } })).status).toBe(200);
    const got = await handler(new Request(`http://x/r/data/${id}`, { headers: { range: 'bytes=0-3' } }));
    expect([got.status, new Uint8Array(await got.arrayBuffer())]).toEqual([206, bytes.subarray(0, 4)]);
    expect(clients).toEqual(['192.0.2.1', undefined]);
  });
});
