import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { type Listening, listen } from '../src/listen.ts';
import { hashPassword } from '../src/password.ts';
import { freshDatabase } from './_engines.ts';
import { basic, blob, FAST_SCRYPT, WEDNESDAY } from './_server.ts';

// Three server nodes over one PostgreSQL database and one storage: what one node decides (a
// reservation, a failed login, a disabled account, a revoked grant) binds the others at once.
interface Node {
  app: App;
  listening: Listening;
  url: string;
}

let dir: string | undefined;
let nodes: Node[] = [];

afterEach(async () => {
  for (const n of nodes) {
    await n.listening.close();
    await n.app.close();
  }
  nodes = [];
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function cluster(extra: Record<string, unknown> = {}): Promise<Node[]> {
  dir = mkdtempSync(join(tmpdir(), 'kluis-nodes-'));
  const database = await freshDatabase('postgres', dir);
  for (let i = 0; i < 3; i++) {
    const config = parseConfig(
      {
        port: 0,
        node: `n${i}`,
        database,
        accessLog: join(dir, `access-${i}.log`),
        storage: { kind: 'local', root: join(dir, 'storage') },
        scrypt: FAST_SCRYPT,
        ...extra,
      },
      dir,
    );
    const app = await createApp({ config, now: () => WEDNESDAY });
    const listening = await listen(app, config);
    nodes.push({ app, listening, url: listening.url.replace(/\/$/, '') });
  }
  return nodes;
}

async function addAccount(app: App, name: string, password: string, quotaBytes?: number): Promise<void> {
  await app.accounts.add(name, await hashPassword(password, FAST_SCRYPT), { actor: 'test', quotaBytes });
  await app.grants.grant({ account: name, role: 'backup', scope: name, by: 'test' });
}

describe('several nodes on one PostgreSQL', () => {
  it('never pass a quota together: 30 concurrent uploads over 3 nodes, room for 10', async () => {
    const [a] = await cluster({ limits: { uploadsPerAccount: 64 } });
    await addAccount(a!.app, 'alice', 'alice password', 10_000);
    const auth = { authorization: basic('alice', 'alice password') };
    const blobs = Array.from({ length: 30 }, (_, i) => blob(new Uint8Array(1_000).fill(i + 1)));
    const statuses = await Promise.all(
      blobs.map((b, i) =>
        fetch(`${nodes[i % 3]!.url}/alice/r/data/${b.id}`, {
          method: 'POST',
          headers: auth,
          body: b.bytes,
        }).then(async (r) => {
          await r.body?.cancel();
          return r.status;
        }),
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 507)).toHaveLength(20);
    let stored = 0;
    for await (const o of a!.app.storage.repository('alice/r').list('')) stored += o.size;
    expect(stored).toBe(10_000);
    for (const n of nodes)
      expect(await n.app.ledger.usage('alice')).toEqual({ used: 10_000, reserved: 0, quota: 10_000 });
  });

  it('count failed logins together: guesses spread over the nodes lock the account out on all', async () => {
    await cluster({ lockout: { maxFailures: 5 } });
    await addAccount(nodes[0]!.app, 'alice', 'alice password');
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${nodes[i % 3]!.url}/alice/r/config`, {
        headers: { authorization: basic('alice', `guess ${i}`) },
      });
      expect(r.status).toBe(401);
    }
    for (const n of nodes) {
      const r = await fetch(`${n.url}/alice/r/config`, {
        headers: { authorization: basic('alice', 'alice password') },
      });
      expect(r.status).toBe(429);
    }
  });

  it('apply a disabled account and a revoked grant on every node at the next request', async () => {
    await cluster();
    await addAccount(nodes[0]!.app, 'alice', 'alice password');
    await addAccount(nodes[0]!.app, 'bob', 'bob password');
    const grant = await nodes[0]!.app.grants.grant({
      account: 'bob',
      role: 'restore',
      scope: 'alice',
      by: 'test',
    });
    const get = (n: Node, user: string, pw: string) =>
      fetch(`${n.url}/alice/r/config`, { headers: { authorization: basic(user, pw) } }).then((r) => r.status);
    // Every node has verified both passwords (and caches them).
    for (const n of nodes) {
      expect(await get(n, 'alice', 'alice password')).toBe(404);
      expect(await get(n, 'bob', 'bob password')).toBe(404);
    }
    await nodes[1]!.app.grants.revoke(grant, 'ops');
    await nodes[0]!.app.accounts.setDisabled('alice', true, 'ops');
    for (const n of nodes) {
      expect(await get(n, 'bob', 'bob password')).toBe(403);
      expect(await get(n, 'alice', 'alice password')).toBe(401);
    }
  });
});
