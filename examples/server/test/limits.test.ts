import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { basic, blob, requestFrom, startServer, type TestServer } from './_server.ts';

let s: TestServer | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await s?.close();
  s = undefined;
});

/** A raw connection; resolves once it is open. Everything it receives is collected in `received`. */
async function open(url: string): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const u = new URL(url);
  const chunks: Buffer[] = [];
  const socket = connect(Number(u.port), u.hostname);
  sockets.push(socket);
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  await new Promise<void>((r) => socket.once('connect', () => r()));
  return { socket, received: () => Buffer.concat(chunks).toString('latin1'), closed };
}

/** Sends one request head on an open connection and waits for the first bytes of its answer. */
async function healthOn(c: Awaited<ReturnType<typeof open>>): Promise<string> {
  const got = new Promise<void>((r) => c.socket.once('data', () => r()));
  c.socket.write('GET /-/health HTTP/1.1\r\nHost: x\r\n\r\n');
  await got;
  return c.received();
}

/** Starts an upload that declares `declared` bytes, sends `sent` of them and stalls. */
async function stalledUpload(t: TestServer, user: string, password: string, declared: number, sent = 16) {
  const c = await open(t.url);
  // Any hash name: the body never arrives to be checked against it.
  const id = blob(`${user} ${declared} ${Math.random()}`).id;
  c.socket.write(
    `POST /${user}/r/data/${id} HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(user, password)}\r\n` +
      `Content-Length: ${declared}\r\n\r\n`,
  );
  c.socket.write(Buffer.alloc(sent, 1));
  return c;
}

const upload = (t: TestServer, user: string, text: string) => {
  const b = blob(text);
  return t.fetchAs(user, `/${user}/r/data/${b.id}`, { method: 'POST', body: b.bytes });
};

describe('connection limits', () => {
  it('close connections past the limit of one address, and serve other addresses', async () => {
    s = await startServer({ limits: { connectionsPerAddress: 3 } });
    const held = [];
    for (let i = 0; i < 3; i++) {
      const c = await open(s.url);
      expect(await healthOn(c)).toMatch(/^HTTP\/1\.1 200/);
      held.push(c);
    }
    const extra = await open(s.url);
    extra.socket.write('GET /-/health HTTP/1.1\r\nHost: x\r\n\r\n');
    await extra.closed;
    expect(extra.received()).toBe('');
    const elsewhere = await requestFrom(s.url, '127.0.0.2', { path: '/-/health' });
    expect(elsewhere.status).toBe(200);
    // The held connections still work.
    expect(await healthOn(held[0]!)).toContain('200 OK');
  });

  it('time out a request head that trickles in', async () => {
    s = await startServer({ limits: { headersTimeoutMs: 200, requestTimeoutMs: 1_000 } });
    const c = await open(s.url);
    c.socket.write('GET /-/health HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n');
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('close a connection that never sends anything', async () => {
    s = await startServer({ limits: { headersTimeoutMs: 200, requestTimeoutMs: 1_000 } });
    const c = await open(s.url);
    await c.closed;
    // Closed, and nothing served. Whether Node writes a 408 before closing an idle socket depends
    // on which of its two timers fires first (seen both ways in CI); no other answer is allowed.
    expect(c.received()).toMatch(/^(|HTTP\/1\.1 408 Request Timeout\r\n[\s\S]*)$/);
  });
});

describe('upload limits', () => {
  it('refuse uploads past the account’s limit (429) and the server’s (503), with Retry-After', async () => {
    s = await startServer({ limits: { uploadsPerAccount: 2, uploads: 3 } });
    const alice = await s.addAccount('alice');
    const bob = await s.addAccount('bob');
    await s.addAccount('carol');
    const stalled = [
      await stalledUpload(s, 'alice', alice, 1_000_000),
      await stalledUpload(s, 'alice', alice, 1_000_000),
    ];
    await vi.waitFor(() => expect(s!.app.uploads.active.uploads).toBe(2));
    const third = await upload(s, 'alice', 'a third upload of alice');
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('5');
    stalled.push(await stalledUpload(s, 'bob', bob, 1_000_000));
    await vi.waitFor(() => expect(s!.app.uploads.active.uploads).toBe(3));
    const busy = await upload(s, 'carol', 'carol finds the server busy');
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('5');
    expect(s.app.metrics.get('kluis_refused_total', { reason: 'uploads-account' })).toBe(1);
    expect(s.app.metrics.get('kluis_refused_total', { reason: 'uploads-server' })).toBe(1);
    // Stalled uploads that break off free their places, and keep nothing.
    for (const c of stalled) c.socket.destroy();
    await vi.waitFor(() => expect(s!.app.uploads.active).toEqual({ uploads: 0, bytes: 0 }));
    expect((await upload(s, 'carol', 'carol again')).status).toBe(200);
    expect(await s.app.ledger.usage('alice')).toMatchObject({ used: 0, reserved: 0 });
  });

  it('hold memory for the bytes received, not the size declared, while uploads stall', async () => {
    s = await startServer();
    const alice = await s.addAccount('alice');
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 4; i++) await stalledUpload(s, 'alice', alice, 64 * 2 ** 20, 4096);
    await vi.waitFor(() => expect(s!.app.uploads.active.uploads).toBe(4));
    const grown = process.memoryUsage().arrayBuffers - before;
    // Declared: 256 MiB. Received: 16 KiB.
    expect(grown).toBeLessThan(16 * 2 ** 20);
  });
});
