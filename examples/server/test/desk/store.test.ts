import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDeskStore } from '../../src/desk/index.ts';
import { PG_DESK_SCHEMA_VERSION } from '../../src/desk/postgres-store.ts';
import { DESK_SCHEMA_VERSION } from '../../src/desk/sqlite-store.ts';
import type { DeskStore } from '../../src/desk/store.ts';
import { openStore, type ServerStore } from '../../src/store.ts';
import { ENGINES, freshDatabase } from '../_engines.ts';

// The desk's store on each engine: the same answers from the same calls, the same rules enforced
// by the database itself.
describe.each(ENGINES)('desk store on %s', (engine) => {
  let dir: string;
  let database: string;
  let server: ServerStore;
  let store: DeskStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kluis-desk-store-'));
    database = await freshDatabase(engine, dir);
    server = await openStore(database, () => 1_000);
    store = await openDeskStore(server);
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const version = async (s: ServerStore) =>
    (await s.sql.get<{ v: number }>('SELECT max(version) AS v FROM desk_schema'))?.v;

  it('migrates once, to the version the code writes, and reopens without migrating again', async () => {
    expect(await version(server)).toBe(engine === 'sqlite' ? DESK_SCHEMA_VERSION : PG_DESK_SCHEMA_VERSION);
    await store.setContact('alice', 'it@alice.test');
    const again = await openStore(database, () => 1_000);
    try {
      const second = await openDeskStore(again);
      expect(await second.contact('alice')).toBe('it@alice.test');
      expect(await version(again)).toBe(await version(server));
    } finally {
      await again.close();
    }
  });

  it('refuses desk tables newer than the code', async () => {
    const newer = DESK_SCHEMA_VERSION + 1;
    if (engine === 'sqlite') await server.sql.run('UPDATE desk_schema SET version = ?', [newer]);
    else await server.sql.run('INSERT INTO desk_schema (version, applied_at) VALUES (?, 0)', [newer]);
    await expect(openDeskStore(server)).rejects.toMatchObject({
      code: 'UNSUPPORTED_VERSION',
      message: expect.stringMatching(/newer than this server/),
    });
  });

  it('keeps incident events and the action record append-only, in the database', async () => {
    const id = await store.addIncident({
      account: 'alice',
      title: 'slow restores',
      impact: 'low',
      urgency: 'low',
      openedBy: 'alice',
      openedAt: 5,
    });
    await store.addIncidentEvent(id, {
      type: 'reported',
      at: 5,
      note: undefined,
      by: 'alice',
      recordedAt: 5,
    });
    await store.record(5, 'alice', 'incident-reported', `incident#${id}`, { title: 'slow restores' });
    await expect(server.sql.run('UPDATE desk_incident_events SET at = 1')).rejects.toThrow(/append-only/);
    await expect(server.sql.run('DELETE FROM desk_incident_events')).rejects.toThrow(/append-only/);
    await expect(server.sql.run("UPDATE desk_actions SET actor = 'x'")).rejects.toThrow(/append-only/);
    await expect(server.sql.run('DELETE FROM desk_actions')).rejects.toThrow(/append-only/);
    expect((await store.incident(id))?.events.map((e) => [e.type, e.at])).toEqual([['reported', 5]]);
    expect((await store.actions()).map((a) => [a.actor, a.action, a.detail])).toEqual([
      ['alice', 'incident-reported', { title: 'slow restores' }],
    ]);
  });

  it('commits all the writes of a transaction, or none', async () => {
    await expect(
      store.tx(async (s) => {
        await s.addAnnouncement({
          start: 10,
          end: 20,
          reason: 'disk',
          kind: 'planned',
          announcedBy: 'ops',
          announcedAt: 1,
        });
        await s.record(1, 'ops', 'maintenance-announce', 'announcement#1', {});
        throw new Error('mail could not be queued');
      }),
    ).rejects.toThrow('mail could not be queued');
    expect(await store.announcements()).toEqual([]);
    expect(await store.actions()).toEqual([]);
    const id = await store.tx(async (s) => {
      const id = await s.addAnnouncement({
        start: 10,
        end: 20,
        reason: 'disk',
        kind: 'planned',
        announcedBy: 'ops',
        announcedAt: 1,
      });
      await s.record(1, 'ops', 'maintenance-announce', `announcement#${id}`, {});
      return id;
    });
    expect((await store.announcements()).map((a) => a.id)).toEqual([id]);
    expect(await store.announcements({ after: 20 })).toEqual([]);
    await store.cancelAnnouncement(id, 'ops', 2);
    expect(await store.announcements()).toEqual([]);
    expect(await store.announcements({ includeCancelled: true })).toMatchObject([
      { id, cancelledBy: 'ops', cancelledAt: 2 },
    ]);
  });

  it('raises a limited quota for a capacity request, never lowers one or limits an unlimited one', async () => {
    await server.accounts.add('alice', 'h', { actor: 'root', quotaBytes: 100 });
    await server.accounts.add('bob', 'h', { actor: 'root' });
    await store.tx(async (s) => {
      await s.raiseQuota('alice', 200, 'ops', 7);
      await s.raiseQuota('alice', 150, 'ops', 8);
      await s.raiseQuota('bob', 300, 'ops', 9);
    });
    expect((await server.accounts.get('alice'))?.quotaBytes).toBe(200);
    expect((await server.accounts.get('bob'))?.quotaBytes).toBeUndefined();
    const quotaSets = await server.sql.all<{ actor: string; subject: string; detail: string }>(
      "SELECT actor, subject, detail FROM admin_actions WHERE action = 'quota-set' ORDER BY id",
    );
    expect(quotaSets).toEqual([{ actor: 'ops', subject: 'alice', detail: '{"quotaBytes":200}' }]);
  });

  it('keeps the outbox: pending oldest first, sent and failed attempts counted', async () => {
    const a = await store.enqueue({ to: 'a@x.test', subject: 'one', body: 'b', topic: 't' }, 1);
    const b = await store.enqueue({ to: 'b@x.test', subject: 'two', body: 'b', topic: 't' }, 2);
    await store.markFailed(a, 'ECONNREFUSED');
    await store.markSent(b, 3);
    expect((await store.pending(10)).map((m) => [m.id, m.attempts, m.lastError])).toEqual([
      [a, 1, 'ECONNREFUSED'],
    ]);
    expect((await store.outbox()).map((m) => [m.subject, m.sentAt])).toEqual([
      ['one', undefined],
      ['two', 3],
    ]);
  });
});
