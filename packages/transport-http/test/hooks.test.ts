import { KluisError, memoryTransport } from '@kluis/core';
import { describe, expect, it } from 'vitest';
import {
  httpTransport,
  type Principal,
  type RequestContext,
  type SizedContext,
  type WriteOutcome,
} from '../src/index';
import { blob, startServer } from './_helpers';

interface Account extends Principal {
  readonly repos: string[];
}
const accounts: Record<string, Account> = {
  'Bearer alice-token': { name: 'alice', repos: ['alice'] },
  'Bearer bob-token': { name: 'bob', repos: ['bob'] },
};
const peers: (string | undefined)[] = [];
const authenticate = (req: Request, peer: { clientAddress: string | undefined }) => {
  peers.push(peer.clientAddress);
  return accounts[req.headers.get('authorization') ?? ''];
};
const as = (who: string, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { authorization: `Bearer ${who}-token` },
});

describe('hooks', () => {
  it('authenticate: 401 with WWW-Authenticate for unknown callers; authorize sees the parsed request', async () => {
    const seen: RequestContext<Account>[] = [];
    const server = await startServer<Account>(memoryTransport(), {
      authenticate,
      authorize: (ctx) => {
        seen.push(ctx);
        return ctx.principal!.repos.includes(ctx.repo);
      },
    });
    try {
      const anon = await fetch(`${server.url}alice/config`);
      expect([anon.status, anon.headers.get('www-authenticate')]).toEqual([
        401,
        'Basic realm="kluis", charset="UTF-8"',
      ]);
      expect((await fetch(`${server.url}alice/config`, as('alice'))).status).toBe(404);
      const denied = await fetch(`${server.url}alice/laptop/keys/k1`, as('bob', { method: 'DELETE' }));
      expect([denied.status, denied.headers.get('kluis-error')]).toEqual([403, 'forbidden']);
      expect(seen.map((c) => [c.principal?.name, c.repo, c.type, c.name, c.key, c.operation])).toEqual([
        ['alice', 'alice', 'config', undefined, 'config', 'read'],
        ['bob', 'alice/laptop', 'keys', 'k1', 'keys/k1', 'delete'],
      ]);
      expect(peers.slice(0, 3)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
      expect(server.log.map((e) => [e.principal, e.status, e.clientAddress, e.operation, e.key])).toEqual([
        [undefined, 401, '127.0.0.1', 'read', 'config'],
        ['alice', 404, '127.0.0.1', 'read', 'config'],
        ['bob', 403, '127.0.0.1', 'delete', 'keys/k1'],
      ]);
    } finally {
      await server.close();
    }
  });

  it('a store factory gets the repository path, after authorisation', async () => {
    const stores = new Map<string, ReturnType<typeof memoryTransport>>();
    const factory = (repo: string) => {
      if (!stores.has(repo)) stores.set(repo, memoryTransport());
      return stores.get(repo)!;
    };
    const server = await startServer<Account>(factory, {
      authenticate,
      authorize: (ctx) => ctx.principal!.repos.includes(ctx.repo.split('/')[0]!),
    });
    try {
      const body = new TextEncoder().encode('cfg');
      expect(
        (await fetch(`${server.url}alice/laptop/config`, as('alice', { method: 'POST', body }))).status,
      ).toBe(200);
      expect((await fetch(`${server.url}bob/config`, as('alice', { method: 'POST', body }))).status).toBe(
        403,
      );
      expect([...stores.keys()]).toEqual(['alice/laptop']);
      expect(await stores.get('alice/laptop')!.stat('config')).toEqual({ key: 'config', size: 3 });
    } finally {
      await server.close();
    }
  });

  it('availability: 503 with Retry-After when unavailable; read-only refuses only changes', async () => {
    let mode = { unavailable: true, retryAfterSeconds: 120, readOnly: false };
    const server = await startServer(memoryTransport(), { availability: () => mode });
    try {
      const down = await fetch(`${server.url}config`);
      expect([down.status, down.headers.get('retry-after')]).toEqual([503, '120']);
      mode = { unavailable: false, retryAfterSeconds: 30, readOnly: true };
      expect((await fetch(`${server.url}config`)).status).toBe(404);
      const write = await fetch(`${server.url}config`, { method: 'POST', body: 'x' });
      expect([write.status, write.headers.get('retry-after')]).toEqual([503, '30']);
      expect((await fetch(`${server.url}keys/a`, { method: 'DELETE' })).status).toBe(503);
    } finally {
      await server.close();
    }
  });

  it('availability with until: the 503 names the end, and the client stops at once with it', async () => {
    const until = '2026-03-28T16:00:00.000Z';
    const server = await startServer(memoryTransport(), {
      availability: () => ({
        unavailable: true,
        retryAfterSeconds: 7200,
        until,
        reason: 'maintenance window',
      }),
    });
    try {
      const down = await fetch(`${server.url}config`);
      expect(down.status).toBe(503);
      expect(down.headers.get('kluis-error')).toBe('maintenance');
      expect(down.headers.get('kluis-maintenance-until')).toBe(until);
      expect(await down.text()).toBe(
        `the service is unavailable (maintenance: maintenance window) until ${until}\n`,
      );
      let retries = 0;
      const t = httpTransport({ url: server.url, retry: { onRetry: () => retries++ } });
      const e = await t.get('config').catch((x: unknown) => x as KluisError);
      expect(e).toBeInstanceOf(KluisError);
      expect([(e as KluisError).code, (e as KluisError).retryable]).toEqual(['UNAVAILABLE', false]);
      expect((e as KluisError).message).toMatch(
        /^server in maintenance until \d{4}-\d\d-\d\d \d\d:\d\d \([+-]\d\d:\d\d\)$/,
      );
      expect(retries).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('beforeWrite can refuse with 507 and nothing is stored; afterWrite settles every reservation', async () => {
    const store = memoryTransport();
    const events: string[] = [];
    const server = await startServer(store, {
      beforeWrite: (ctx: SizedContext) => {
        events.push(`reserve ${ctx.key} ${ctx.size}`);
        return ctx.size > 100 ? new Response('quota exceeded', { status: 507 }) : undefined;
      },
      afterWrite: (ctx: WriteOutcome) => void events.push(`settle ${ctx.key} ${ctx.size} ${ctx.ok}`),
      afterDelete: (ctx: SizedContext) => void events.push(`deleted ${ctx.key} ${ctx.size}`),
    });
    try {
      const big = await blob(101, 20);
      expect((await fetch(`${server.url}data/${big.id}`, { method: 'POST', body: big.bytes })).status).toBe(
        507,
      );
      expect(await store.stat(`data/${big.id}`)).toBeUndefined();
      const small = await blob(50, 21);
      expect(
        (await fetch(`${server.url}data/${small.id}`, { method: 'POST', body: small.bytes })).status,
      ).toBe(200);
      const bad = 'cd'.repeat(32);
      expect((await fetch(`${server.url}data/${bad}`, { method: 'POST', body: small.bytes })).status).toBe(
        400,
      );
      expect((await fetch(`${server.url}data/${small.id}`, { method: 'DELETE' })).status).toBe(200);
      expect((await fetch(`${server.url}data/${small.id}`, { method: 'DELETE' })).status).toBe(404);
      expect(events).toEqual([
        `reserve data/${big.id} 101`,
        `reserve data/${small.id} 50`,
        `settle data/${small.id} 50 true`,
        `reserve data/${bad} 50`,
        `settle data/${bad} 50 false`,
        `deleted data/${small.id} 50`,
      ]);
      expect(server.log.map((e) => [e.status, e.bytesIn, e.bytesOut])).toEqual([
        [507, 0, 0],
        [200, 50, 0],
        [400, 50, 0],
        [200, 0, 0],
        [404, 0, 0],
      ]);
    } finally {
      await server.close();
    }
  });

  it('keeps quota exact under concurrent uploads and deletes of the same and different objects', async () => {
    const store = memoryTransport();
    const limit = 1000;
    let used = 0;
    let reserved = 0;
    const server = await startServer(store, {
      beforeWrite: (ctx: SizedContext) => {
        if (used + reserved + ctx.size > limit) return new Response(null, { status: 507 });
        reserved += ctx.size;
        return undefined;
      },
      afterWrite: (ctx: WriteOutcome) => {
        reserved -= ctx.size;
        if (ctx.ok) used += ctx.size;
      },
      afterDelete: (ctx: SizedContext) => {
        used -= ctx.size;
      },
    });
    try {
      const blobs = await Promise.all(Array.from({ length: 30 }, (_, i) => blob(100, 100 + (i % 15))));
      const statuses = await Promise.all(
        blobs.map((b) =>
          fetch(`${server.url}data/${b.id}`, { method: 'POST', body: b.bytes }).then((r) => r.status),
        ),
      );
      let stored = 0;
      for await (const { size } of store.list('data/')) stored += size;
      expect(statuses.filter((s) => s === 200).length * 100).toBe(stored);
      expect([used, reserved, stored <= limit]).toEqual([stored, 0, true]);
      await Promise.all(
        blobs.map((b) =>
          fetch(`${server.url}data/${b.id}`, { method: 'DELETE' }).then((r) => r.body?.cancel()),
        ),
      );
      stored = 0;
      for await (const { size } of store.list('data/')) stored += size;
      expect([used, reserved, stored]).toEqual([0, 0, 0]);
    } finally {
      await server.close();
    }
  });

  it('beforeDelete: sees existing objects only, and its refusal deletes nothing', async () => {
    const store = memoryTransport();
    const b = await blob(100);
    await store.put(`data/${b.id}`, b.bytes);
    const asked: SizedContext[] = [];
    const deleted: string[] = [];
    const server = await startServer(store, {
      beforeDelete: (ctx) => {
        asked.push(ctx);
        return new Response('retention lock\n', {
          status: 403,
          headers: { 'kluis-error': 'retention-lock' },
        });
      },
      afterDelete: (ctx) => {
        deleted.push(ctx.key!);
      },
    });
    try {
      const refused = await fetch(`${server.url}data/${b.id}`, { method: 'DELETE' });
      expect([refused.status, await refused.text()]).toEqual([403, 'retention lock\n']);
      expect(await store.stat(`data/${b.id}`)).toEqual({ key: `data/${b.id}`, size: b.bytes.length });
      const missing = await fetch(`${server.url}data/${'0'.repeat(64)}`, { method: 'DELETE' });
      expect(missing.status).toBe(404);
      expect(asked.map((c) => [c.key, c.size])).toEqual([[`data/${b.id}`, b.bytes.length]]);
      expect(deleted).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
