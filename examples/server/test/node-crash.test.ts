import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password.ts';
import { openStorage } from '../src/storage.ts';
import { openStore, type ServerStore } from '../src/store.ts';
import { freshDatabase } from './_engines.ts';
import { type ServerProcess, spawnServer, until } from './_process.ts';
import { basic, blob, FAST_SCRYPT } from './_server.ts';

// Two kluis-server processes over one PostgreSQL database and one storage. One is killed with
// SIGKILL in the middle of an upload: its reservation keeps counting (the quota errs on the safe
// side) until the node is restarted under the same name, which drops it and recounts the usage
// from the storage, so usage equals the stored bytes again even if the database had it wrong.
const bin = join(import.meta.dirname, '..', 'bin', 'kluis-server.js');
let dir: string | undefined;
let store: ServerStore | undefined;
const running: ServerProcess[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const p of running.splice(0)) await p.stop();
  await store?.close();
  store = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a node killed mid-upload', () => {
  it('leaves a reservation that counts until it restarts, then usage equals the stored bytes', {
    timeout: 120_000,
  }, async () => {
    dir = mkdtempSync(join(tmpdir(), 'kluis-crash-'));
    const database = await freshDatabase('postgres', dir);
    store = await openStore(database, Date.now);
    await store.accounts.add('alice', await hashPassword('alice password', FAST_SCRYPT), {
      actor: 'test',
      quotaBytes: 10_000,
    });
    await store.grants.grant({ account: 'alice', role: 'backup', scope: 'alice', by: 'test' });
    const start = async (node: string) => {
      const config = join(dir!, `${node}.json`);
      writeFileSync(
        config,
        JSON.stringify({
          port: 0,
          node,
          database,
          accessLog: join(dir!, `${node}.log`),
          storage: { kind: 'local', root: join(dir!, 'storage') },
          scrypt: FAST_SCRYPT,
          maintenance: { mode: 'off' },
        }),
      );
      const p = await spawnServer(process.execPath, [bin, 'serve', '--config', config]);
      running.push(p);
      return p;
    };
    const [n1, n2] = [await start('n1'), await start('n2')];
    const auth = basic('alice', 'alice password');
    const post = (url: string, b: ReturnType<typeof blob>) =>
      fetch(`${url}/alice/r/data/${b.id}`, {
        method: 'POST',
        headers: { authorization: auth },
        body: b.bytes,
      });

    // An upload of 4,000 bytes on n1: the head and 100 bytes arrive, then n1 is killed.
    const big = blob(new Uint8Array(4_000).fill(9));
    const u = new URL(n1.url);
    const socket = connect(Number(u.port), u.hostname);
    sockets.push(socket);
    socket.on('error', () => {});
    socket.write(
      `POST /alice/r/data/${big.id} HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: ${auth}\r\nContent-Length: 4000\r\n\r\n`,
    );
    socket.write(Buffer.alloc(100, 9));
    await until(async () => (await store!.ledger.usage('alice')).reserved === 4_000);
    n1.child.kill('SIGKILL');
    await new Promise((r) => n1.child.once('exit', r));
    running.splice(running.indexOf(n1), 1);

    // The dead node's reservation still counts on n2: 4,000 reserved + 7,000 would pass 10,000.
    expect((await post(n2.url, blob(new Uint8Array(7_000).fill(1)))).status).toBe(507);
    const small = blob(new Uint8Array(1_000).fill(2));
    expect((await post(n2.url, small)).status).toBe(200);
    expect(await store.ledger.usage('alice')).toEqual({ used: 1_000, reserved: 4_000, quota: 10_000 });
    // A crash between storing an object and counting it leaves the figure short: simulate it.
    await store.ledger.setUsed('alice', 0);

    // n1 restarted under its name (as systemd's Restart= does): its reservation goes, usage is
    // counted from the storage, and the room is there again.
    const again = await start('n1');
    expect(await store.ledger.usage('alice')).toEqual({ used: 1_000, reserved: 0, quota: 10_000 });
    expect((await post(again.url, blob(new Uint8Array(7_000).fill(1)))).status).toBe(200);
    expect((await store.ledger.usage('alice')).used).toBe(8_000);
    const storage = await openStorage({ kind: 'local', root: join(dir, 'storage') });
    let stored = 0;
    for await (const o of storage.repository('alice/r').list('')) stored += o.size;
    expect(stored).toBe(8_000);
  });
});
