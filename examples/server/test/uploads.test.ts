import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { basic, blob, startServer, type TestServer } from './_server.ts';

let s: TestServer | undefined;

afterEach(async () => {
  await s?.close();
  s = undefined;
});

async function storedTotal(t: TestServer, repo: string): Promise<{ count: number; bytes: number }> {
  let count = 0;
  let bytes = 0;
  for await (const o of t.app.storage.repository(repo).list('')) {
    count++;
    bytes += o.size;
  }
  return { count, bytes };
}

/** Sends a request head promising `declared` bytes, then only `sent` bytes, then closes. */
function truncatedUpload(
  url: string,
  path: string,
  auth: string,
  declared: number,
  sent: number,
): Promise<void> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: ${auth}\r\nContent-Length: ${declared}\r\n\r\n`,
      );
      socket.end(Buffer.alloc(sent, 7));
    });
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.resume();
  });
}

describe('uploads', () => {
  it('refuse oversized and truncated uploads and keep nothing of them', async () => {
    s = await startServer({ maxObjectBytes: 1000 });
    const pw = await s.addAccount('alice', { quota: 10_000 });
    const big = blob(new Uint8Array(1001));
    const res = await s.fetchAs('alice', `/alice/r/data/${big.id}`, { method: 'POST', body: big.bytes });
    expect(res.status).toBe(413);
    const { id } = blob(new Uint8Array(800).fill(7));
    await truncatedUpload(s.url, `/alice/r/data/${id}`, basic('alice', pw), 800, 300);
    // The server has settled the upload once the next request on the area is answered.
    expect((await s.fetchAs('alice', `/alice/r/data/${id}`, { method: 'HEAD' })).status).toBe(404);
    expect(await storedTotal(s, 'alice/r')).toEqual({ count: 0, bytes: 0 });
    expect(await s.app.ledger.usage('alice')).toEqual({ used: 0, reserved: 0, quota: 10_000 });
  });

  it('keep the quota exact under 20 concurrent uploads that together exceed it', async () => {
    s = await startServer({ limits: { uploadsPerAccount: 20 } });
    await s.addAccount('alice', { quota: 10_000 });
    const blobs = Array.from({ length: 20 }, (_, i) => blob(new Uint8Array(1_000 + i * 10).fill(i)));
    const statuses = await Promise.all(
      blobs.map(
        async (b) =>
          (await s!.fetchAs('alice', `/alice/r/data/${b.id}`, { method: 'POST', body: b.bytes })).status,
      ),
    );
    expect(statuses.every((c) => c === 200 || c === 507)).toBe(true);
    expect(statuses.filter((c) => c === 507).length).toBeGreaterThan(0);
    const stored = await storedTotal(s, 'alice/r');
    expect(stored.count).toBe(statuses.filter((c) => c === 200).length);
    expect(stored.bytes).toBeLessThanOrEqual(10_000);
    expect(await s.app.ledger.usage('alice')).toEqual({ used: stored.bytes, reserved: 0, quota: 10_000 });
    expect((await s.app.accounts.get('alice'))?.usedBytes).toBe(stored.bytes);
  });

  it('free usage on delete, let a raised quota in, and count existing objects at start', async () => {
    s = await startServer();
    await s.addAccount('alice', { quota: 1_500, role: 'admin' });
    const a = blob(new Uint8Array(1_000).fill(1));
    const b = blob(new Uint8Array(1_000).fill(2));
    const post = (x: typeof a) =>
      s!.fetchAs('alice', `/alice/r/data/${x.id}`, { method: 'POST', body: x.bytes });
    expect((await post(a)).status).toBe(200);
    const full = await post(b);
    expect(full.status).toBe(507);
    // The refusal says how full the account is, for the client to show.
    expect(full.headers.get('kluis-quota-used')).toBe('1000');
    expect(full.headers.get('kluis-quota-limit')).toBe('1500');
    expect(await full.text()).toBe(
      'quota exceeded: 1000 of 1500 bytes used (0 reserved by uploads in progress); this object needs 1000\n',
    );
    await s.app.accounts.setQuota('alice', 2_000, 'test');
    expect((await post(b)).status).toBe(200);
    expect((await s.fetchAs('alice', `/alice/r/data/${a.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await s.app.ledger.usage('alice')).used).toBe(1_000);
    // A restarted server counts the usage from the storage, whatever the database said.
    await s.app.ledger.setUsed('alice', 0);
    await s.restart();
    expect((await s.app.ledger.usage('alice')).used).toBe(1_000);
  });
});
