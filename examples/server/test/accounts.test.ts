import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountStore } from '../src/accounts.ts';
import { openDb, SCHEMA_VERSION } from '../src/db.ts';
import type { GrantStore } from '../src/grants.ts';
import type { QuotaLedger } from '../src/quota.ts';
import type { Sql } from '../src/sql.ts';
import { openStore, type ServerStore } from '../src/store.ts';
import { ENGINES, freshDatabase } from './_engines.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kluis-accounts-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite accounts database', () => {
  it('is in WAL mode at the current schema version, and reopens without migrating again', async () => {
    const file = join(dir, 'accounts.db');
    let store = await openStore(file, () => 1_000);
    await store.accounts.add('alice', 'h', { actor: 'root' });
    await store.close();
    const db = openDb(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    store = await openStore(file, () => 1_000);
    expect((await store.accounts.get('alice'))?.name).toBe('alice');
    await store.close();
  });

  it('refuses a database newer than the code', async () => {
    const file = join(dir, 'accounts.db');
    const db = openDb(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    await expect(openStore(file, () => 0)).rejects.toThrow(/newer than this server/);
  });
});

describe.each(ENGINES)('store on %s', (engine) => {
  let store: ServerStore;
  let sql: Sql;
  let now: number;
  let accounts: AccountStore;
  let grants: GrantStore;
  let ledger: QuotaLedger;

  beforeEach(async () => {
    now = 1_000;
    store = await openStore(await freshDatabase(engine, dir), () => now);
    ({ sql, accounts, grants, ledger } = store);
  });
  afterEach(() => store.close());

  it('migrates once: reopening keeps the data, a newer schema is refused', async () => {
    await accounts.add('alice', 'h', { actor: 'root' });
    const url = await freshDatabase(engine, dir);
    const again = await openStore(url, () => now);
    await again.accounts.add('bob', 'h', { actor: 'root' });
    await again.close();
    const reopened = await openStore(url, () => now);
    expect((await reopened.accounts.list()).map((a) => a.name)).toEqual(['bob']);
    if (engine === 'postgres') {
      await reopened.sql.run('INSERT INTO kluis_schema (version, applied_at) VALUES (999, 0)');
      await reopened.close();
      await expect(openStore(url, () => now)).rejects.toThrow(/newer than this server/);
    } else await reopened.close();
  });

  it('creates, lists, disables and re-quotas accounts, recording every action', async () => {
    await accounts.add('alice', 'h1', { actor: 'root', quotaBytes: 100 });
    await expect(accounts.add('alice', 'h2', { actor: 'root' })).rejects.toThrow(/already exists/);
    await expect(accounts.add('../x', 'h', { actor: 'root' })).rejects.toThrow(/invalid account name/);
    now = 2_000;
    await accounts.setDisabled('alice', true, 'root');
    await accounts.setQuota('alice', 500, 'ops');
    expect(await accounts.get('alice')).toMatchObject({
      quotaBytes: 500,
      disabledAt: 2_000,
      updatedAt: 2_000,
    });
    await expect(accounts.setQuota('bob', 1, 'root')).rejects.toThrow(/no account bob/);
    const actions = await sql.all('SELECT actor, action, subject FROM admin_actions ORDER BY id');
    expect(actions).toEqual([
      { actor: 'root', action: 'account-add', subject: 'alice' },
      { actor: 'root', action: 'account-disable', subject: 'alice' },
      { actor: 'ops', action: 'quota-set', subject: 'alice' },
    ]);
    await expect(sql.run('DELETE FROM admin_actions')).rejects.toThrow(/append-only/);
    await expect(sql.run("UPDATE admin_actions SET actor = 'x'")).rejects.toThrow(/append-only/);
  });

  it('records who granted and who revoked; grants are never deleted', async () => {
    await accounts.add('alice', 'h', { actor: 'root' });
    await accounts.add('bob', 'h', { actor: 'root' });
    const id = await grants.grant({
      account: 'bob',
      role: 'restore',
      scope: 'alice/pc',
      by: 'root',
      expiresAt: 5_000,
    });
    expect((await grants.active('bob', 4_999)).map((g) => g.id)).toEqual([id]);
    expect(await grants.active('bob', 5_000)).toEqual([]);
    now = 3_000;
    const revoked = await grants.revoke(id, 'ops');
    expect(revoked).toMatchObject({
      grantedBy: 'root',
      grantedAt: 1_000,
      revokedBy: 'ops',
      revokedAt: 3_000,
    });
    expect(await grants.active('bob', 4_000)).toEqual([]);
    expect(await grants.list('bob')).toHaveLength(1);
    await expect(sql.run('DELETE FROM grants')).rejects.toThrow(/never deleted/);
    await expect(
      grants.grant({ account: 'bob', role: 'backup', scope: 'carol', by: 'root' }),
    ).rejects.toThrow(/no account carol/);
    await expect(
      grants.grant({ account: 'bob', role: 'backup', scope: 'alice/../x', by: 'root' }),
    ).rejects.toThrow(/bad segment/);
    await expect(
      grants.grant({ account: 'bob', role: 'backup', scope: 'alice', by: 'r', expiresAt: 1 }),
    ).rejects.toThrow(/expire at once/);
    await expect(grants.revoke(99, 'ops')).rejects.toThrow(/no grant 99/);
  });

  it('grants cannot be rewritten, only revoked once; grant and revoke are recorded as admin actions', async () => {
    await accounts.add('alice', 'h', { actor: 'root' });
    await accounts.add('bob', 'h', { actor: 'root' });
    const id = await grants.grant({
      account: 'bob',
      role: 'restore',
      scope: 'alice',
      by: 'root',
      note: 'ticket 1',
    });
    for (const q of [
      "UPDATE grants SET role = 'admin'",
      "UPDATE grants SET scope = '*'",
      'UPDATE grants SET expires_at = 1',
      "UPDATE grants SET granted_by = 'someone'",
      "UPDATE grants SET account = 'alice'",
    ]) {
      await expect(sql.run(q), q).rejects.toThrow(/grants are never changed/);
    }
    now = 2_000;
    await grants.revoke(id, 'ops');
    await grants.revoke(id, 'ops'); // a no-op, not a second record
    await expect(sql.run('UPDATE grants SET revoked_at = NULL, revoked_by = NULL')).rejects.toThrow(
      /grants are never changed/,
    );
    await expect(sql.run("UPDATE grants SET revoked_by = 'someone else'")).rejects.toThrow(
      /grants are never changed/,
    );
    expect((await grants.list('bob'))[0]).toMatchObject({
      role: 'restore',
      scope: 'alice',
      revokedBy: 'ops',
    });
    const actions = await sql.all(
      "SELECT time, actor, action, subject, detail FROM admin_actions WHERE action LIKE 'grant%' ORDER BY id",
    );
    expect(actions).toEqual([
      {
        time: 1_000,
        actor: 'root',
        action: 'grant',
        subject: 'bob',
        detail: JSON.stringify({
          grant: id,
          role: 'restore',
          scope: 'alice',
          expiresAt: null,
          note: 'ticket 1',
        }),
      },
      {
        time: 2_000,
        actor: 'ops',
        action: 'grant-revoke',
        subject: 'bob',
        detail: JSON.stringify({ grant: id }),
      },
    ]);
  });

  it('quota ledger: reserves exactly, commits, releases, and reads quota changes at once', async () => {
    await accounts.add('alice', 'h', { actor: 'root', quotaBytes: 100 });
    const a = (await ledger.reserve('alice', 60))!;
    expect(await ledger.reserve('alice', 41)).toBeUndefined();
    const b = (await ledger.reserve('alice', 40))!;
    expect(await ledger.usage('alice')).toEqual({ used: 0, reserved: 100, quota: 100 });
    await a.commit();
    await a.commit();
    await b.release();
    expect(await ledger.usage('alice')).toEqual({ used: 60, reserved: 0, quota: 100 });
    expect((await accounts.get('alice'))?.usedBytes).toBe(60);
    expect(await ledger.reserve('alice', 41)).toBeUndefined();
    await accounts.setQuota('alice', 200, 'root');
    const c = await ledger.reserve('alice', 41);
    expect(c).toBeDefined();
    await c!.release();
    await ledger.removed('alice', 60);
    expect((await ledger.usage('alice')).used).toBe(0);
    await ledger.removed('alice', 60);
    expect((await ledger.usage('alice')).used).toBe(0);
  });

  it('quota ledger: a reservation left by a dead server stops counting after an hour', async () => {
    await accounts.add('alice', 'h', { actor: 'root', quotaBytes: 100 });
    expect(await ledger.reserve('alice', 100)).toBeDefined(); // never settled: its server died
    expect(await ledger.reserve('alice', 1)).toBeUndefined();
    now += 60 * 60_000 + 1;
    expect(await ledger.reserve('alice', 100)).toBeDefined();
  });

  it('quota ledger: 100 concurrent reservations never pass the quota together', async () => {
    await accounts.add('alice', 'h', { actor: 'root', quotaBytes: 1_000 });
    const results = await Promise.all(Array.from({ length: 100 }, () => ledger.reserve('alice', 37)));
    const granted = results.filter((r) => r !== undefined);
    expect(granted).toHaveLength(Math.floor(1_000 / 37));
    await Promise.all(granted.map((r) => r.commit()));
    expect(await ledger.usage('alice')).toEqual({ used: 27 * 37, reserved: 0, quota: 1_000 });
  });

  it('recount sets usage from the storage unless an upload is in progress or settled meanwhile', async () => {
    await accounts.add('alice', 'h', { actor: 'root' });
    expect(await ledger.recount('alice', async () => 500)).toBe(true);
    expect((await ledger.usage('alice')).used).toBe(500);
    const r = (await ledger.reserve('alice', 10))!;
    expect(await ledger.recount('alice', async () => 999)).toBe(false); // an upload in progress
    await r.commit();
    // An upload that starts and settles while the storage is being counted.
    expect(
      await ledger.recount('alice', async () => {
        await (await ledger.reserve('alice', 5))!.commit();
        return 999;
      }),
    ).toBe(false);
    expect((await ledger.usage('alice')).used).toBe(515);
  });
});
