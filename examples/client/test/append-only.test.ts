import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryTransport } from '@kluis/core';
import { createRestHandler } from '@kluis/transport-http';
import { type NodeServer, serveNode } from '@kluis/transport-http/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKluis } from './_run.ts';

let dir: string;
let server: NodeServer;
/** Whether the server refuses deletes (outside locks/), as for an append-only backup account. */
let appendOnly = false;
const store = memoryTransport();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-append-only-'));
  server = await serveNode(
    createRestHandler(store, {
      authorize: (ctx) => !(appendOnly && ctx.operation === 'delete' && ctx.type !== 'locks'),
    }),
  );
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const run = (args: string[]) =>
  runKluis(args, { KLUIS_REPOSITORY: `${server.url}repo/`, KLUIS_PASSWORD: 'pw' });

async function keys(): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.list('')) out.push(o.key);
  return out.sort();
}

describe('forget and prune with a credential that may not delete (HTTP 403)', () => {
  it('fail with a clear message and leave nothing behind', { timeout: 60_000 }, async () => {
    const src = join(dir, 'src');
    await mkdir(src);
    const init = await run(['init', '--scrypt-n', '1024']);
    expect(init.err).toBe('');
    expect(init.code).toBe(0);
    for (let i = 0; i < 3; i++) {
      await writeFile(join(src, `f${i}.txt`), `file ${i}\n`.repeat(20_000));
      if (i === 1) await writeFile(join(src, 'f0.txt'), 'changed\n');
      expect((await run(['backup', src])).code).toBe(0);
    }
    appendOnly = true;
    const before = await keys();
    for (let round = 0; round < 2; round++) {
      const p = await run(['prune', '--grace-hours', '0']);
      expect(p.code).toBe(3);
      expect(p.err).toMatch(/refuses deletes to this credential.*nothing was changed/);
      expect(p.err.trim().split('\n')).toHaveLength(1);
      const f = await run(['forget', '--keep-last', '1']);
      expect(f.code).toBe(3);
      expect(f.err).toMatch(/refuses deletes to this credential.*nothing was removed/);
      expect(await keys()).toEqual(before);
    }
    appendOnly = false;
    const f = await run(['forget', '--keep-last', '1', '--prune', '--grace-hours', '0']);
    expect(f.err).toBe('');
    expect(f.code).toBe(0);
    expect((await run(['check', '--read-data'])).code).toBe(0);
  });
});

describe('forget without a policy on a server that keeps no account settings', () => {
  it('refuses with exit 2, says so, and removes nothing', async () => {
    const before = await keys();
    const r = await run(['forget']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /kluis config set retention 7d` \(this server keeps no account retention\); nothing was removed/,
    );
    expect(await keys()).toEqual(before);
  });
});
