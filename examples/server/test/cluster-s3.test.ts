import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password.ts';
import { openStore, type ServerStore } from '../src/store.ts';
import { freshDatabase } from './_engines.ts';
import { type ServerProcess, spawnServer } from './_process.ts';
import { FAST_SCRYPT } from './_server.ts';

// Three kluis-server processes on loopback in front of one PostgreSQL and one Ceph radosgw, a
// round-robin proxy in front of them that retries a request on the next node when one fails
// before answering (as nginx's proxy_next_upstream does), and three kluis clients backing up at
// once through it. One node is killed with SIGKILL while it receives an upload. Nothing is lost:
// every backup succeeds, `check --read-data` passes, and once the killed node is back (restarted
// under its name, as systemd would) each account's usage equals its stored bytes exactly.
const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');
const serverBin = join(import.meta.dirname, '..', 'bin', 'kluis-server.js');
const clientBin = join(root, 'examples', 'client', 'bin', 'kluis.js');
const ACCOUNTS = ['alice', 'bob', 'carol'];

let rgw: { env: Record<string, string>; dir?: string | undefined } | undefined;

beforeAll(async () => {
  if (process.env.KLUIS_S3_ENDPOINT) {
    rgw = {
      env: {
        KLUIS_S3_ENDPOINT: process.env.KLUIS_S3_ENDPOINT,
        AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'kluis-test-key',
        AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'kluis-test-secret',
        AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      },
    };
    return;
  }
  const { stdout } = await run('bash', [join(root, 'scripts', 's3', 'start-radosgw.sh')], {
    env: { ...process.env, KLUIS_RGW_OWNER_PID: String(process.pid) },
  });
  const env: Record<string, string> = {};
  for (const m of stdout.matchAll(/^export ([A-Z0-9_]+)=(.*)$/gm)) env[m[1]!] = m[2]!;
  rgw = { env, dir: env.KLUIS_RGW_DIR };
}, 600_000);

afterAll(async () => {
  if (rgw?.dir) await run('bash', [join(root, 'scripts', 's3', 'stop-radosgw.sh'), rgw.dir]);
});

/** Round-robin over `targets()`, buffering each request so it can be sent again to the next node. */
function retryingProxy(
  targets: () => string[],
  onForward: (target: number, path: string) => void,
  onRetry: () => void,
): Server {
  let next = 0;
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const attempt = (tries: number) => {
        const list = targets();
        const i = next++ % list.length;
        const u = new URL(list[i]!);
        const out = request(
          { host: u.hostname, port: u.port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
            answer.on('error', () => res.destroy());
          },
        );
        out.on('error', () => {
          if (res.headersSent) res.destroy();
          else if (tries < list.length * 2) {
            onRetry();
            attempt(tries + 1);
          } else res.writeHead(502).end();
        });
        out.end(body);
        onForward(i, `${req.method} ${req.url}`);
      };
      attempt(0);
    });
  });
}

function kluis(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [clientBin, ...args], { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('three nodes, one PostgreSQL, one radosgw', () => {
  let dir: string;
  let store: ServerStore | undefined;
  const nodes: (ServerProcess | undefined)[] = [];
  let proxy: Server | undefined;

  afterAll(async () => {
    proxy?.close();
    for (const n of nodes) await n?.stop();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing when a node is killed mid-upload; usage equals the stored bytes', {
    timeout: 600_000,
  }, async () => {
    dir = mkdtempSync(join(tmpdir(), 'kluis-cluster-'));
    const s3env = rgw!.env;
    const bucket = `cluster-${randomBytes(4).toString('hex')}`;
    const s3 = new S3Client({
      endpoint: s3env.KLUIS_S3_ENDPOINT!,
      region: s3env.AWS_REGION!,
      forcePathStyle: true,
      credentials: { accessKeyId: s3env.AWS_ACCESS_KEY_ID!, secretAccessKey: s3env.AWS_SECRET_ACCESS_KEY! },
    });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    /** The bytes the bucket holds below `prefix`. */
    const bucketBytes = async (prefix: string) => {
      let total = 0;
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) total += o.Size ?? 0;
        token = page.NextContinuationToken;
      } while (token);
      return total;
    };
    const storageConfig = { kind: 's3' as const, url: `s3:${s3env.KLUIS_S3_ENDPOINT}/${bucket}` };
    const database = await freshDatabase('postgres', dir);
    store = await openStore(database, Date.now);
    for (const a of ACCOUNTS) {
      await store.accounts.add(a, await hashPassword(`${a} server password`, FAST_SCRYPT), {
        actor: 'test',
        quotaBytes: 2 ** 30,
      });
      await store.grants.grant({ account: a, role: 'backup', scope: a, by: 'test' });
    }
    const env = { ...process.env, ...s3env } as Record<string, string>;
    const start = async (n: number) => {
      const config = join(dir, `n${n}.json`);
      writeFileSync(
        config,
        JSON.stringify({
          port: 0,
          node: `n${n}`,
          database,
          accessLog: join(dir, `n${n}.log`),
          storage: storageConfig,
          scrypt: FAST_SCRYPT,
          maintenance: { mode: 'off' },
        }),
      );
      nodes[n] = await spawnServer(process.execPath, [serverBin, 'serve', '--config', config], { env });
    };
    for (let n = 0; n < 3; n++) await start(n);

    // Kill node 1 right after the proxy has handed it its first pack upload.
    let killed = false;
    let retried = 0;
    proxy = retryingProxy(
      () =>
        nodes
          .filter((n) => n !== undefined && n.child.exitCode === null && !n.child.killed)
          .map((n) => n!.url),
      (i, what) => {
        const target = nodes.filter((n) => n !== undefined && !n.child.killed)[i];
        if (!killed && target === nodes[1] && /^POST .*\/data\//.test(what)) {
          killed = true;
          target!.child.kill('SIGKILL');
        }
      },
      () => retried++,
    );
    await new Promise<void>((r) => proxy!.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;

    // Three clients, each with 24 random files of 64-320 KiB (about 4.5 MiB).
    const clients = ACCOUNTS.map((a) => {
      const src = join(dir, `src-${a}`);
      mkdirSync(src);
      for (let f = 0; f < 24; f++)
        writeFileSync(join(src, `f${f}.bin`), randomBytes((64 + (f % 9) * 32) * 1024));
      return {
        src,
        env: {
          KLUIS_REPOSITORY: `${proxyUrl}/${a}/laptop/`,
          KLUIS_HTTP_USER: a,
          KLUIS_HTTP_PASSWORD: `${a} server password`,
          KLUIS_PASSWORD: `${a} repository password`,
        },
      };
    });
    for (const c of clients) {
      const r = await kluis(['init', '--scrypt-n', '1024'], c.env);
      expect(r.code, r.out).toBe(0);
    }
    const backups = await Promise.all(clients.map((c) => kluis(['backup', c.src], c.env)));
    for (const b of backups) expect(b.code, b.out).toBe(0);
    expect(killed).toBe(true);
    expect(retried).toBeGreaterThan(0); // the upload the killed node was receiving went elsewhere

    // The killed node comes back under its name (systemd's Restart=): it drops its reservations
    // and recounts; then every account's usage equals what the bucket holds for it.
    await start(1);
    for (const c of clients) {
      const r = await kluis(['check', '--read-data'], c.env);
      expect(r.code, r.out).toBe(0);
    }
    for (const a of ACCOUNTS) {
      const stored = await bucketBytes(`${a}/`);
      expect(stored).toBeGreaterThan(4 * 2 ** 20);
      expect(await store.ledger.usage(a)).toEqual({ used: stored, reserved: 0, quota: 2 ** 30 });
    }
    s3.destroy();
  });
});
