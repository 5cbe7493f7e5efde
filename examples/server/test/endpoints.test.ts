import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blob, startServer, type TestServer } from './_server.ts';

let s: TestServer;
const TOKEN = 'metrics-token-for-tests';

beforeAll(async () => {
  s = await startServer({ metricsToken: TOKEN });
  await s.addAccount('alice', { quota: 1_000_000 });
  await s.addAccount('bob');
  await s.addAccount('audrey', { role: 'none' });
  await s.addAccount('root', { role: 'none' });
  await s.app.grants.grant({ account: 'audrey', role: 'auditor', scope: 'alice', by: 'test' });
  await s.app.grants.grant({ account: 'root', role: 'admin', scope: '*', by: 'test' });
});

afterAll(() => s.close());

describe('access log', () => {
  it('has a line for every authorised access: who, what, when, from where, result, bytes', async () => {
    const b = blob('logged object');
    await s.fetchAs('alice', `/alice/r/data/${b.id}`, { method: 'POST', body: b.bytes });
    await s.fetchAs('alice', `/alice/r/data/${b.id}`);
    await s.fetchAs('alice', '/alice/r/data/', { headers: { accept: 'application/vnd.x.restic.rest.v2' } });
    const mine = s.accessLog().filter((e) => e.user === 'alice' && e.event === 'access');
    expect(mine.map((e) => e.op)).toEqual(['write', 'read', 'list']);
    expect(mine[0]).toMatchObject({
      time: new Date(s.clock.now).toISOString(),
      address: '127.0.0.1',
      method: 'POST',
      repo: 'alice/r',
      type: 'data',
      name: b.id,
      status: 200,
      bytesIn: b.bytes.length,
      grant: expect.any(Number),
    });
    expect(mine[1]).toMatchObject({ bytesOut: b.bytes.length });
  });

  it('is readable by an auditor, within the auditor’s scope only', async () => {
    await s.fetchAs('bob', '/bob/r/data/');
    await s.fetchAs('alice', '/alice/r/data/', { password: 'wrong' });
    const res = await s.fetchAs('audrey', '/-/log?limit=1000');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const entries = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.length).toBeGreaterThan(3);
    expect(entries.every((e) => e.user === 'alice' || String(e.repo).startsWith('alice/'))).toBe(true);
    expect(entries.some((e) => e.event === 'login-failed')).toBe(true);
    const failed = await s.fetchAs('audrey', '/-/log?event=login-failed');
    expect((await failed.text()).trim().split('\n')).toHaveLength(1);
  });

  it('an auditor reads nothing else; others cannot read the log', async () => {
    expect((await s.fetchAs('audrey', '/alice/r/data/')).status).toBe(403);
    expect((await s.fetchAs('audrey', '/-/metrics')).status).toBe(403);
    expect((await s.fetchAs('alice', '/-/log')).status).toBe(403);
    expect((await s.fetchAs(undefined, '/-/log')).status).toBe(401);
    const all = await s.fetchAs('root', '/-/log?limit=5');
    expect((await all.text()).trim().split('\n')).toHaveLength(5);
    expect((await s.fetchAs('audrey', '/-/log?since=yesterday')).status).toBe(400);
  });
});

describe('health and metrics', () => {
  it('health needs no credentials', async () => {
    const res = await fetch(new URL('/-/health', s.url));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', maintenance: null });
  });

  it('metrics are Prometheus text for the token or an admin of the whole server', async () => {
    const byToken = await fetch(new URL('/-/metrics', s.url), {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(byToken.status).toBe(200);
    expect(byToken.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await byToken.text();
    for (const line of text.trim().split('\n')) {
      expect(line).toMatch(
        /^(# (HELP|TYPE) kluis_\w+ .+|kluis_\w+(\{(\w+="[^"]*",?)+\})? -?\d+(\.\d+)?(e[+-]?\d+)?)$/,
      );
    }
    expect(text).toContain('# TYPE kluis_requests_total counter');
    expect(text).toMatch(/kluis_requests_total\{operation="write",status="200"\} 1/);
    expect(text).toMatch(/kluis_quota_used_bytes\{account="alice"\} 13/);
    expect(text).toContain('kluis_quota_limit_bytes{account="alice"} 1000000');
    expect(text).toMatch(/kluis_failed_logins_total [1-9]/);
    expect((await s.fetchAs('root', '/-/metrics')).status).toBe(200);
    expect((await s.fetchAs('alice', '/-/metrics')).status).toBe(403);
    const wrong = await fetch(new URL('/-/metrics', s.url), { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect((await fetch(new URL('/-/nothing', s.url))).status).toBe(404);
  });
});
