import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import type { CliIo } from '../../src/cli-io.ts';
import { startServer, type TestServer } from '../_server.ts';
import { cliConfig } from './_procs.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field
type Json = any;
let s: TestServer;
const at = (local: string) => Date.parse(local);

beforeAll(async () => {
  s = await startServer();
  await s.addAccount('alice');
  await s.addAccount('bob');
  await s.addAccount('ops', { role: 'none' });
  await s.app.grants.grant({ account: 'ops', role: 'admin', scope: '*', by: 'test' });
});
afterAll(() => s.close());

const post = (user: string, path: string, body: unknown) =>
  s.fetchAs(user, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const get = async (user: string, path: string) => (await s.fetchAs(user, path)).json() as Promise<Json>;

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
  return { code: await main([...args, '--config', cliConfig(s)], io), out, err };
}

// March 2026 in Amsterdam: 744 h less the hour skipped on the 29th, less 4 Saturday windows of 8 h
// (7, 14, 21, 28 March) = 711 committed hours = 42,660 minutes.
const MARCH_MINUTES = 42_660;

describe('an incident reported by a customer over HTTP (fake clock)', () => {
  let id: number;

  it('gets its priority from impact × urgency and the cadence of progress updates', async () => {
    s.clock.now = at('2026-03-10T10:00:00+01:00'); // a Tuesday, inside the service window
    const res = await post('alice', '/-/desk/incidents', {
      title: 'restores fail with 500',
      impact: 'high',
      urgency: 'high',
    });
    expect(res.status).toBe(201);
    const inc = await res.json();
    id = inc.id;
    expect(inc).toMatchObject({
      account: 'alice',
      priority: 'P1',
      state: 'open',
      updateMinutes: 60,
      updateOverdue: false,
    });
    expect(inc.events).toMatchObject([{ type: 'reported', by: 'alice', at: '2026-03-10T09:00:00.000Z' }]);
    expect(
      (await post('alice', '/-/desk/incidents', { title: 'x', impact: 'huge', urgency: 'low' })).status,
    ).toBe(400);
    expect(
      (
        await post('bob', '/-/desk/incidents', {
          account: 'alice',
          title: 'x',
          impact: 'low',
          urgency: 'low',
        })
      ).status,
    ).toBe(403);
  });

  it('flags a progress update that is overdue, on the API and in kluis-server incident list', async () => {
    s.clock.now = at('2026-03-10T10:10:00+01:00');
    expect((await post('alice', `/-/desk/incidents/${id}/events`, { type: 'update' })).status).toBe(403);
    expect(
      (await post('ops', `/-/desk/incidents/${id}/events`, { type: 'acknowledged', note: 'looking' })).status,
    ).toBe(200);
    s.clock.now = at('2026-03-10T11:05:00+01:00');
    expect((await get('ops', '/-/desk/incidents'))[0]).toMatchObject({
      updateOverdue: false,
      nextUpdateDue: '2026-03-10T10:10:00.000Z',
    });
    s.clock.now = at('2026-03-10T11:30:00+01:00'); // an hour and 20 minutes without news
    const late = (await get('ops', '/-/desk/incidents'))[0];
    expect(late).toMatchObject({ updateOverdue: true });
    expect(late.breaches).toEqual(['no update for 1 h 20 min (none since) (target: every 1 h)']);
  });

  it('stays open when signed off inside the service window until the coordinator accepts', async () => {
    s.clock.now = at('2026-03-10T11:40:00+01:00');
    await post('ops', `/-/desk/incidents/${id}/events`, { type: 'update', note: 'disk replaced' });
    s.clock.now = at('2026-03-10T12:00:00+01:00');
    await post('ops', `/-/desk/incidents/${id}/events`, { type: 'restored' });
    s.clock.now = at('2026-03-10T12:05:00+01:00');
    const signed = await (await post('ops', `/-/desk/incidents/${id}/events`, { type: 'signed-off' })).json();
    expect(signed).toMatchObject({ state: 'restored', endRule: 'open' });
    s.clock.now = at('2026-03-10T12:20:00+01:00');
    const report = await get('alice', '/-/desk/report?month=2026-03');
    expect(report.warnings.map((w: { incident: string }) => w.incident)).toEqual([`INC-${id}`]);
    // Only the incident's own customer (or the provider) accepts it.
    expect((await post('bob', `/-/desk/incidents/${id}/events`, { type: 'accepted' })).status).toBe(403);
    s.clock.now = at('2026-03-10T12:30:00+01:00');
    const done = await (await post('alice', `/-/desk/incidents/${id}/events`, { type: 'accepted' })).json();
    expect(done).toMatchObject({ state: 'closed', endRule: 'accepted', downtimeMinutes: 150 });
    expect((await post('ops', `/-/desk/incidents/${id}/events`, { type: 'update' })).status).toBe(400); // closed
  });

  it("feeds the customer's monthly availability, and only theirs", async () => {
    s.clock.now = at('2026-04-01T12:00:00+02:00');
    const alice = await get('alice', '/-/desk/report?month=2026-03');
    expect(alice.totals).toMatchObject({ committedMinutes: MARCH_MINUTES, unplannedMinutes: 150 });
    expect(alice.availability).toBeCloseTo(1 - 150 / MARCH_MINUTES, 12);
    expect(alice.warnings).toEqual([]);
    const bob = await get('bob', '/-/desk/report?month=2026-03');
    expect(bob.availability).toBe(1);
    expect((await s.fetchAs('bob', '/-/desk/report?account=alice&month=2026-03')).status).toBe(403);
    expect(
      (await s.fetchAs('ops', '/-/desk/report?account=alice&month=2026-03&format=html')).headers.get(
        'content-security-policy',
      ),
    ).toMatch(/^default-src 'none'; style-src 'unsafe-hashes'( 'sha256-[A-Za-z0-9+/=]+')+; img-src data:;/);
  });
});

describe('kluis-server incident open|record|list and desk report', () => {
  it('closes an incident resolved at night by the sign-off e-mail (article 23.1f)', async () => {
    const opened = await cli([
      'incident',
      'open',
      'bob',
      '--detected',
      '--title',
      'storage node down',
      '--impact',
      'high',
      '--urgency',
      'medium',
      '--at',
      '2026-03-11T23:00:00+01:00',
      '--by',
      'monitor',
    ]);
    expect(opened.err).toBe('');
    const id = /^#(\d+) {2}bob {2}P2 {2}open/.exec(opened.out)?.[1];
    expect(id).toBeDefined();
    expect(
      (
        await cli([
          'incident',
          'record',
          id!,
          'restored',
          '--at',
          '2026-03-11T23:50:00+01:00',
          '--by',
          'ops-jan',
        ])
      ).code,
    ).toBe(0);
    const signed = await cli([
      'incident',
      'record',
      id!,
      'signed-off',
      '--at',
      '2026-03-12T00:10:00+01:00',
      '--note',
      'sign-off e-mail sent',
    ]);
    expect(signed.out).toMatch(
      new RegExp(`^#${id}  bob  P2  closed \\(signed-off\\)  70 min  storage node down\\n$`),
    );
    expect((await cli(['incident', 'record', id!, 'dance'])).code).toBe(2);
    const list = await cli(['incident', 'list', 'bob']);
    expect(list.out).toBe(`#${id}  bob  P2  closed (signed-off)  70 min  storage node down\n`);
    const report = await cli(['desk', 'report', 'bob', '--month', '2026-03']);
    expect(report.code).toBe(0);
    expect(report.out).toContain('Service report 2026-03: bob (Europe/Amsterdam)');
    expect(report.out).toContain(
      `availability        ${(Math.floor((1 - 70 / MARCH_MINUTES) * 100_000) / 1000).toFixed(3)} %`,
    );
    expect(report.out).toContain(
      `  INC-${id} P2  2026-03-11 23:00 -> 2026-03-12 00:10  1 h 10 min  ended by signed-off`,
    );
  });

  it('records every incident action with who and when, also in the access log', async () => {
    const actions = (await s.app.desk.desk.storage.actions()).filter((a) => a.action.startsWith('incident'));
    expect(actions.map((a) => `${a.actor} ${a.action}`)).toEqual([
      'alice incident-reported',
      'ops incident-acknowledged',
      'ops incident-update',
      'ops incident-restored',
      'ops incident-signed-off',
      'alice incident-accepted',
      'monitor incident-detected',
      'ops-jan incident-restored',
      expect.stringMatching(/ incident-signed-off$/),
    ]);
    const log = s.accessLog().filter((e) => e.event === 'desk' && String(e.op).startsWith('incident'));
    expect(log).toHaveLength(9);
    expect(log[5]).toMatchObject({
      time: '2026-03-10T11:30:00.000Z',
      user: 'alice',
      op: 'incident-accepted',
      repo: 'alice',
    });
  });
});
