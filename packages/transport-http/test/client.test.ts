import { KluisError, memoryTransport } from '@kluis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepository, httpTransport } from '../src/index';
import { blob, startServer, type TestServer } from './_helpers';

type Reply = { status: number; headers?: Record<string, string>; body?: string };

/** A fetch that answers from a script and records what it was asked. */
function scripted(replies: (Reply | Error)[]) {
  const seen: { method: string; url: string; headers: Headers }[] = [];
  const fetchFn = (async (input: URL | RequestInfo, init?: RequestInit) => {
    seen.push({ method: init?.method ?? 'GET', url: String(input), headers: new Headers(init?.headers) });
    const r = replies.shift() ?? { status: 500 };
    if (r instanceof Error) throw r;
    return new Response(r.body ?? null, { status: r.status, headers: r.headers ?? {} });
  }) as typeof fetch;
  return { fetchFn, seen };
}

const noRetry = { retry: false } as const;
const key = `data/${'ab'.repeat(32)}`;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return KluisError.is(e) ? `${e.code}${e.retryable ? ' retryable' : ''}` : (e as Error).name;
  }
}

describe('httpTransport: keys, status codes, retries', () => {
  it('maps keys to REST paths and refuses every other shape with TypeError', async () => {
    const { fetchFn, seen } = scripted([{ status: 404 }, { status: 404 }, { status: 404 }]);
    const t = httpTransport({ url: 'http://h/repo', fetch: fetchFn, ...noRetry });
    await t.stat('config');
    await t.stat(key);
    await t.stat('keys/slot-1');
    expect(seen.map((s) => s.url)).toEqual([
      'http://h/repo/config',
      `http://h/repo/${key}`,
      'http://h/repo/keys/slot-1',
    ]);
    for (const bad of ['trees/x', 'data/ab/cd', 'config/x', 'snapshot/x', 'data', 'x']) {
      await expect(t.stat(bad), bad).rejects.toBeInstanceOf(TypeError);
    }
  });

  it.each([
    [401, 'AUTH'],
    [403, 'AUTH'],
    [404, 'NOT_FOUND'],
    [409, 'ALREADY_EXISTS'],
    [412, 'ALREADY_EXISTS'],
    [413, 'QUOTA'],
    [416, 'INVALID_DATA'],
    [400, 'PROTOCOL'],
    [501, 'PROTOCOL'],
    [507, 'QUOTA'],
    [429, 'UNAVAILABLE retryable'],
    [500, 'UNAVAILABLE retryable'],
    [502, 'UNAVAILABLE retryable'],
    [503, 'UNAVAILABLE retryable'],
    [504, 'UNAVAILABLE retryable'],
  ])('HTTP %i on get is %s', async (status, code) => {
    const { fetchFn } = scripted([{ status }]);
    expect(await codeOf(httpTransport({ url: 'http://h/', fetch: fetchFn, ...noRetry }).get(key))).toBe(code);
  });

  it('a quota refusal (507) says used and limit when a kluis server sends them', async () => {
    const headers = {
      'kluis-error': 'quota',
      'kluis-quota-used': '10223616',
      'kluis-quota-limit': '10485760',
    };
    const { fetchFn } = scripted([{ status: 507, headers }, { status: 507 }]);
    const t = httpTransport({ url: 'http://h/', fetch: fetchFn, ...noRetry });
    const full = await t.put(key, new Uint8Array(8)).catch((e: unknown) => e);
    expect(KluisError.is(full, 'QUOTA')).toBe(true);
    expect((full as Error).message).toMatch(/: HTTP 507 .*\(quota\): 9\.75 MiB of 10\.0 MiB used$/);
    // Another server's bare 507 keeps the plain message.
    const bare = await t.put(key, new Uint8Array(8)).catch((e: unknown) => e);
    expect(KluisError.is(bare, 'QUOTA')).toBe(true);
    expect((bare as Error).message).toMatch(/: HTTP 507[^:]*$/);
  });

  it('network failures are UNAVAILABLE (retryable), aborts ABORTED, timeouts TIMEOUT', async () => {
    const { fetchFn } = scripted([new TypeError('fetch failed')]);
    expect(await codeOf(httpTransport({ url: 'http://h/', fetch: fetchFn, ...noRetry }).get(key))).toBe(
      'UNAVAILABLE retryable',
    );
    const hang = ((_: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      })) as typeof fetch;
    const controller = new AbortController();
    const pending = httpTransport({ url: 'http://h/', fetch: hang, ...noRetry }).get(key, {
      signal: controller.signal,
    });
    controller.abort();
    expect(await codeOf(pending)).toBe('ABORTED');
    const slow = httpTransport({ url: 'http://h/', fetch: hang, timeoutMs: 1, ...noRetry });
    expect(await codeOf(slow.get(key))).toBe('TIMEOUT retryable');
  });

  it('retries through withRetry and waits at least Retry-After', async () => {
    const { fetchFn, seen } = scripted([
      { status: 503, headers: { 'retry-after': '7' } },
      new TypeError('socket hang up'),
      { status: 200, body: 'ok' },
    ]);
    const sleeps: number[] = [];
    const t = httpTransport({
      url: 'http://h/',
      fetch: fetchFn,
      retry: { random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) },
    });
    expect(new TextDecoder().decode(await t.get(key))).toBe('ok');
    expect(seen.length).toBe(3);
    expect(sleeps).toEqual([7000, 100]);
    const capped = scripted([
      { status: 429, headers: { 'retry-after': '3600' } },
      { status: 200, body: '' },
    ]);
    const delays: number[] = [];
    await httpTransport({
      url: 'http://h/',
      fetch: capped.fetchFn,
      maxRetryAfterMs: 2000,
      retry: { random: () => 0, sleep: async (ms) => void delays.push(ms) },
    }).get(key);
    expect(delays).toEqual([2000]);
  });

  it('does not retry final errors', async () => {
    const { fetchFn, seen } = scripted([{ status: 401 }, { status: 200 }]);
    expect(await codeOf(httpTransport({ url: 'http://h/', fetch: fetchFn }).get(key))).toBe('AUTH');
    expect(seen.length).toBe(1);
  });

  it('sends credentials: Basic (also from the URL, UTF-8) or Bearer', async () => {
    const { fetchFn, seen } = scripted([{ status: 404 }, { status: 404 }, { status: 404 }]);
    await httpTransport({
      url: 'http://h/',
      fetch: fetchFn,
      auth: { username: 'jörg', password: 'p:w' },
    }).stat(key);
    await httpTransport({ url: 'http://al%20ice:s%40cret@h/', fetch: fetchFn }).stat(key);
    await httpTransport({ url: 'http://h/', fetch: fetchFn, auth: { token: 'tok' } }).stat(key);
    const auth = seen.map((s) => s.headers.get('authorization'));
    const basic = (s: string) => `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(s)))}`;
    expect(auth).toEqual([basic('jörg:p:w'), basic('al ice:s@cret'), 'Bearer tok']);
    expect(seen[1]!.url).toBe(`http://h/${key}`);
    expect(seen.every((s) => s.headers.get('accept') === 'application/vnd.x.restic.rest.v2')).toBe(true);
  });

  it('rejects a malformed or hostile listing with PROTOCOL', async () => {
    for (const body of ['not json', '[{"name":"../x","size":1}]', '[{"name":"a","size":-1}]']) {
      const { fetchFn } = scripted([
        { status: 200, headers: { 'content-type': 'application/vnd.x.restic.rest.v2' }, body },
      ]);
      const t = httpTransport({ url: 'http://h/', fetch: fetchFn, ...noRetry });
      expect(
        await codeOf(
          (async () => {
            for await (const _ of t.list('data/')) {
              /* drain */
            }
          })(),
        ),
      ).toBe('PROTOCOL');
    }
  });

  it('refuses a deeply nested listing before parsing it', async () => {
    const body = `${'['.repeat(5_000_000)}${']'.repeat(5_000_000)}`;
    const { fetchFn } = scripted([{ status: 200, body }]);
    const t = httpTransport({ url: 'http://h/', fetch: fetchFn, ...noRetry });
    const e = await (async () => {
      for await (const _ of t.list('snapshots/')) {
        /* drain */
      }
    })().catch((x: unknown) => x);
    expect(e).toMatchObject({
      code: 'PROTOCOL',
      message: 'list snapshots/: the listing nests deeper than a listing can',
    });
  });
});

describe('httpTransport against createRestHandler', () => {
  const store = memoryTransport();
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(store);
  });
  afterAll(() => server.close());

  it('creates a repository, learns atomic create-only, maps overwrite refusals to ALREADY_EXISTS', async () => {
    await createRepository({ url: `${server.url}alice/` });
    const t = httpTransport({ url: `${server.url}alice/` });
    expect(t.capabilities.conditionalPut).toBe(false);
    const { bytes, id } = await blob(100, 30);
    await t.put(`data/${id}`, bytes, { ifAbsent: true });
    expect(t.capabilities.conditionalPut).toBe(true);
    expect(await codeOf(t.put(`data/${id}`, bytes, { ifAbsent: true }))).toBe('ALREADY_EXISTS');
    expect(await codeOf(t.put(`data/${'00'.repeat(32)}`, bytes))).toBe('INTEGRITY');
    expect(httpTransport({ url: server.url, conditionalPut: false }).capabilities.conditionalPut).toBe(false);
  });

  it('replaces config and key slots by delete-then-create when ifAbsent is not set', async () => {
    const t = httpTransport({ url: server.url });
    await t.put('keys/k1', new TextEncoder().encode('one'));
    await t.put('keys/k1', new TextEncoder().encode('two!'));
    expect(new TextDecoder().decode(await t.get('keys/k1'))).toBe('two!');
  });

  it('reads a v1 server by completing sizes with HEAD', async () => {
    const { bytes, id } = await blob(33, 31);
    await store.put(`index/${id}`, bytes);
    const asV1 = ((input: URL | RequestInfo, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      headers.set('accept', 'application/json');
      return fetch(input, { ...init, headers });
    }) as typeof fetch;
    const t = httpTransport({ url: server.url, fetch: asV1 });
    const listed = [];
    for await (const x of t.list('index/')) listed.push(x);
    expect(listed).toEqual([{ key: `index/${id}`, size: 33 }]);
  });

  it('tells a plain 403 for an existing object (restic rest-server) from a denial', async () => {
    const { bytes, id } = await blob(10, 32);
    await store.put(`snapshots/${id}`, bytes);
    const plain = (async (input: URL | RequestInfo, init?: RequestInit) => {
      const r = await fetch(input, init);
      const headers = new Headers(r.headers);
      headers.delete('kluis-error');
      headers.delete('kluis-create-only');
      return new Response(r.body, { status: r.status, headers });
    }) as typeof fetch;
    const t = httpTransport({ url: server.url, fetch: plain, ...noRetry });
    expect(await codeOf(t.put(`snapshots/${id}`, bytes, { ifAbsent: true }))).toBe('ALREADY_EXISTS');
    expect(t.capabilities.conditionalPut).toBe(false);
  });

  it('reads ranges with 206 and reports a range past the end as INVALID_DATA', async () => {
    const { bytes, id } = await blob(1000, 33);
    const t = httpTransport({ url: server.url });
    await t.put(`data/${id}`, bytes);
    expect(await t.get(`data/${id}`, { range: { offset: 990, length: 10 } })).toEqual(bytes.subarray(990));
    expect(await codeOf(t.get(`data/${id}`, { range: { offset: 995, length: 10 } }))).toBe('INVALID_DATA');
    expect(await codeOf(t.get(`data/${id}`, { range: { offset: 1000, length: 1 } }))).toBe('INVALID_DATA');
  });
});

describe('httpTransport against an append-only server', () => {
  it('a replacing put of identical bytes succeeds without a delete; different bytes are refused', async () => {
    const server = await startServer(memoryTransport(), { authorize: (ctx) => ctx.operation !== 'delete' });
    try {
      const t = httpTransport({ url: server.url, ...noRetry });
      const { bytes, id } = await blob(64, 40);
      await t.put(`data/${id}`, bytes);
      await t.put(`data/${id}`, bytes);
      await t.put('keys/k', bytes);
      expect(await codeOf(t.put('keys/k', bytes.subarray(1)))).toBe('AUTH');
      expect(server.log.filter((e) => e.method === 'DELETE').map((e) => [e.key, e.status])).toEqual([
        ['keys/k', 403],
      ]);
    } finally {
      await server.close();
    }
  });
});
