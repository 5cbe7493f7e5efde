import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import type { CliIo } from '../../src/cli-io.ts';
import { startServer, type TestServer } from '../_server.ts';
import { cliConfig } from './_procs.ts';

const GiB = 2 ** 30;
let s: TestServer;

beforeAll(async () => {
  s = await startServer();
  await s.addAccount('alice', { quota: 10 * GiB });
  await s.addAccount('bob', { quota: GiB });
  await s.addAccount('ops', { role: 'none' });
  await s.app.grants.grant({ account: 'ops', role: 'admin', scope: '*', by: 'test' });
  await s.addAccount('audit', { role: 'none' });
  await s.app.grants.grant({ account: 'audit', role: 'auditor', scope: '*', by: 'test' });
});
afterAll(() => s.close());

const post = (user: string, path: string, body: unknown) =>
  s.fetchAs(user, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env: {},
    readPassword: async () => '',
  };
  const code = await main([...args, '--config', cliConfig(s)], io);
  return { code, out, err };
}

describe('capacity requests over HTTP (fake clock)', () => {
  it('are due 3 Dutch working days later, fulfilled by raising the quota, reported on time', async () => {
    // Friday 24 April 2026, 15:00: Mon 27 April is King's Day, so the days are Tue 28, Wed 29, Thu 30.
    s.clock.now = Date.parse('2026-04-24T15:00:00+02:00');
    const res = await post('alice', '/-/desk/capacity', { size: '20GiB', note: 'order 2026-118' });
    expect(res.status).toBe(201);
    const r = (await res.json()) as Record<string, unknown>;
    expect(r).toMatchObject({
      account: 'alice',
      fromBytes: 10 * GiB,
      toBytes: 20 * GiB,
      dueDate: '2026-04-30',
      requestedBy: 'alice',
    });
    expect(new Date(r.dueAt as number).toISOString()).toBe('2026-04-30T22:00:00.000Z'); // end of Thursday, CEST

    // Someone else's account, or fulfilling it themselves, is refused.
    expect((await post('bob', '/-/desk/capacity', { account: 'alice', size: '30GiB' })).status).toBe(403);
    expect((await post('alice', `/-/desk/capacity/${r.id}/fulfil`, {})).status).toBe(403);
    expect((await post('audit', `/-/desk/capacity/${r.id}/fulfil`, {})).status).toBe(403);
    // Asking for less than one has is a clear error.
    const less = await post('alice', '/-/desk/capacity', { size: '5GiB' });
    expect(less.status).toBe(400);
    expect(await less.json()).toMatchObject({ code: 'INVALID_CONFIG' });

    s.clock.now = Date.parse('2026-04-30T10:00:00+02:00');
    const mine = (await (await s.fetchAs('alice', '/-/desk/capacity')).json()) as Record<string, unknown>[];
    expect(mine.map((x) => [x.id, x.state])).toEqual([[r.id, 'due-soon']]);
    const done = await post('ops', `/-/desk/capacity/${r.id}/fulfil`, {});
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ state: 'on-time', fulfilledBy: 'ops' });
    const account = (await (await s.fetchAs('alice', '/-/account')).json()) as Record<string, unknown>;
    expect(account.quotaBytes).toBe(20 * GiB);
    // Fulfilling twice is refused.
    expect((await post('ops', `/-/desk/capacity/${r.id}/fulfil`, {})).status).toBe(400);
  });

  it('reports a request fulfilled after its due date as late, and an open one past it as overdue', async () => {
    s.clock.now = Date.parse('2026-05-04T09:00:00+02:00'); // Monday; Tue 5 May (Liberation Day) is no public holiday in 2026
    const a = (await (await post('bob', '/-/desk/capacity', { size: '2GiB' })).json()) as Record<
      string,
      unknown
    >;
    const b = (await (await post('bob', '/-/desk/capacity', { size: '3GiB' })).json()) as Record<
      string,
      unknown
    >;
    expect(a.dueDate).toBe('2026-05-07');
    s.clock.now = Date.parse('2026-05-08T09:00:00+02:00');
    expect(await (await post('ops', `/-/desk/capacity/${a.id}/fulfil`, {})).json()).toMatchObject({
      state: 'late',
    });
    const all = (await (await s.fetchAs('audit', '/-/desk/capacity?account=bob')).json()) as Record<
      string,
      unknown
    >[];
    expect(all.map((x) => [x.id, x.state])).toEqual([
      [a.id, 'late'],
      [b.id, 'overdue'],
    ]);
    // A customer sees only their own.
    expect((await s.fetchAs('bob', '/-/desk/capacity?account=alice')).status).toBe(403);
  });

  it('records who and when, in the desk record and the access log', async () => {
    const actions = (await s.app.desk.desk.storage.actions()).filter((x) => x.action.startsWith('capacity'));
    expect(actions.slice(0, 2).map((x) => [x.actor, x.action, new Date(x.time).toISOString()])).toEqual([
      ['alice', 'capacity-request', '2026-04-24T13:00:00.000Z'],
      ['ops', 'capacity-fulfil', '2026-04-30T08:00:00.000Z'],
    ]);
    const log = s.accessLog().filter((e) => e.event === 'desk');
    expect(log.slice(0, 2)).toMatchObject([
      { time: '2026-04-24T13:00:00.000Z', user: 'alice', op: 'capacity-request', repo: 'alice' },
      { time: '2026-04-30T08:00:00.000Z', user: 'ops', op: 'capacity-fulfil', repo: 'alice' },
    ]);
  });
});

describe('kluis-server capacity request|list|fulfil', () => {
  it('records a request from its signed order date, lists it, and fulfils it (late)', async () => {
    const req = await cli([
      'capacity',
      'request',
      'bob',
      '4GiB',
      '--at',
      '2026-03-27T16:00:00+01:00',
      '--by',
      'helpdesk',
    ]);
    expect(req).toMatchObject({ code: 0, err: '' });
    // Friday 27 March: Mon 30, Tue 31 March, Wed 1 April.
    expect(req.out).toMatch(
      /^capacity request #(\d+): bob to 4\.0 GiB, due 2026-04-01 \(end of day 2026-04-02 00:00 \(\+02:00\)\)\n$/,
    );
    const id = /#(\d+)/.exec(req.out)![1]!;
    const open = await cli(['capacity', 'list', 'bob', '--open']);
    expect(open.out).toContain(
      `#${id}  bob  2.0 GiB -> 4.0 GiB  requested 2026-03-27 16:00 (+01:00) by helpdesk  due 2026-04-01`,
    );
    const done = await cli(['capacity', 'fulfil', id, '--by', 'ops-jan']);
    expect(done.code).toBe(0);
    expect(done.out).toMatch(/ late, fulfilled .* by ops-jan\n$/);
    expect((await s.app.accounts.get('bob'))!.quotaBytes).toBe(4 * GiB);
    expect((await cli(['capacity', 'fulfil', id])).err).toMatch(/already fulfilled/);
    expect((await cli(['capacity', 'request', 'nobody', '1GiB'])).err).toMatch(/no account nobody/);
    expect((await cli(['capacity', 'request', 'bob', 'lots'])).code).toBe(2);
  });
});
