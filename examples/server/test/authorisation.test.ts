import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blob, startServer, type TestServer } from './_server.ts';

let s: TestServer;
const v2 = { accept: 'application/vnd.x.restic.rest.v2' };

async function upload(user: string, repo: string, type: string, text: string) {
  const { bytes, id } = blob(text);
  const res = await s.fetchAs(user, `/${repo}/${type}/${id}`, { method: 'POST', body: bytes });
  return { res, id };
}

beforeAll(async () => {
  s = await startServer();
  await s.addAccount('alice');
  await s.addAccount('bob');
  await s.addAccount('carol', { role: 'restore' });
  await s.addAccount('root', { role: 'none' });
  await s.app.grants.grant({ account: 'root', role: 'admin', scope: '*', by: 'test' });
  await s.app.grants.grant({ account: 'carol', role: 'restore', scope: 'alice/laptop', by: 'test' });
  expect((await s.fetchAs('alice', '/alice/laptop/?create=true', { method: 'POST' })).status).toBe(200);
  expect((await upload('alice', 'alice/laptop', 'data', 'alice data')).res.status).toBe(200);
});

afterAll(() => s.close());

describe('private areas', () => {
  it('user A cannot list, read, stat, write or delete user B’s objects', async () => {
    const { id } = blob('alice data');
    const attempts = [
      s.fetchAs('bob', '/alice/laptop/data/', { headers: v2 }),
      s.fetchAs('bob', `/alice/laptop/data/${id}`),
      s.fetchAs('bob', `/alice/laptop/data/${id}`, { method: 'HEAD' }),
      s.fetchAs('bob', `/alice/laptop/data/${id}`, { method: 'DELETE' }),
      s.fetchAs('bob', '/alice/laptop/?create=true', { method: 'POST' }),
      upload('bob', 'alice/laptop', 'data', 'bob was here').then((u) => u.res),
      upload('bob', 'alice', 'keys', 'planted key').then((u) => u.res),
    ];
    for (const res of await Promise.all(attempts)) expect(res.status).toBe(403);
    const own = await s.fetchAs('alice', '/alice/laptop/data/', { headers: v2 });
    expect(await own.json()).toEqual([{ name: id, size: 10 }]);
  });

  it('nobody may use the root or an area without an account', async () => {
    const { bytes, id } = blob('at the root');
    expect((await s.fetchAs('root', `/data/${id}`, { method: 'POST', body: bytes })).status).toBe(403);
    expect((await s.fetchAs('root', '/ghost/repo/?create=true', { method: 'POST' })).status).toBe(403);
  });

  it('an admin of * may do everything everywhere', async () => {
    const { res, id } = await upload('root', 'bob/pc', 'data', 'put there by the admin');
    expect(res.status).toBe(200);
    expect((await s.fetchAs('root', `/bob/pc/data/${id}`, { method: 'DELETE' })).status).toBe(200);
  });
});

describe('append-only backup role', () => {
  it('cannot delete or overwrite, but can remove its locks', async () => {
    const { id } = blob('alice data');
    expect((await s.fetchAs('alice', `/alice/laptop/data/${id}`, { method: 'DELETE' })).status).toBe(403);
    const again = await upload('alice', 'alice/laptop', 'data', 'alice data');
    expect(again.res.status).toBe(403);
    expect(again.res.headers.get('kluis-error')).toBe('already-exists');
    expect((await s.fetchAs('alice', '/alice/laptop/config', { method: 'POST', body: 'c1' })).status).toBe(
      200,
    );
    expect((await s.fetchAs('alice', '/alice/laptop/config', { method: 'POST', body: 'c2' })).status).toBe(
      403,
    );
    expect((await s.fetchAs('alice', '/alice/laptop/config', { method: 'DELETE' })).status).toBe(403);
    const lock = await upload('alice', 'alice/laptop', 'locks', 'lock of alice');
    expect(lock.res.status).toBe(200);
    expect((await s.fetchAs('alice', `/alice/laptop/locks/${lock.id}`, { method: 'DELETE' })).status).toBe(
      200,
    );
    expect((await s.fetchAs('alice', `/alice/laptop/data/${id}`)).status).toBe(200);
  });

  it('a restore grant reads its scope only and writes nothing', async () => {
    const { id } = blob('alice data');
    expect((await s.fetchAs('carol', `/alice/laptop/data/${id}`)).status).toBe(200);
    expect((await upload('carol', 'alice/laptop', 'data', 'carol')).res.status).toBe(403);
    expect((await upload('carol', 'carol/x', 'data', 'carol')).res.status).toBe(403);
    expect((await s.fetchAs('carol', '/alice/desktop/data/', { headers: v2 })).status).toBe(403);
  });
});

describe('grant expiry and revocation', () => {
  it('an expired grant is refused, a revoked one too', async () => {
    await s.addAccount('dave', { role: 'none' });
    const { id } = blob('alice data');
    const g = await s.app.grants.grant({
      account: 'dave',
      role: 'restore',
      scope: 'alice',
      by: 'test',
      expiresAt: s.clock.now + 60_000,
    });
    expect((await s.fetchAs('dave', `/alice/laptop/data/${id}`)).status).toBe(200);
    s.clock.now += 60_000;
    expect((await s.fetchAs('dave', `/alice/laptop/data/${id}`)).status).toBe(403);
    const g2 = await s.app.grants.grant({ account: 'dave', role: 'restore', scope: 'alice', by: 'test' });
    expect((await s.fetchAs('dave', `/alice/laptop/data/${id}`)).status).toBe(200);
    await s.app.grants.revoke(g2, 'test');
    expect((await s.fetchAs('dave', `/alice/laptop/data/${id}`)).status).toBe(403);
    const denied = s.accessLog().filter((e) => e.user === 'dave' && e.event === 'denied');
    expect(denied).toHaveLength(2);
    expect((await s.app.grants.list('dave')).map((x) => x.id)).toEqual([g, g2]);
  });
});
