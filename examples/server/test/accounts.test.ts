import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountStore } from '../src/accounts.ts';
import { type Db, openDb, SCHEMA_VERSION } from '../src/db.ts';
import { GrantStore } from '../src/grants.ts';
import { QuotaLedger } from '../src/quota.ts';

let dir: string;
let db: Db;
let now: number;
let accounts: AccountStore;
let grants: GrantStore;

beforeEach(() => {
  now = 1_000;
  dir = mkdtempSync(join(tmpdir(), 'kluis-accounts-'));
  db = openDb(join(dir, 'accounts.db'));
  accounts = new AccountStore(db, () => now);
  grants = new GrantStore(db, () => now);
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('accounts database', () => {
  it('is in WAL mode at the current schema version, and reopens without migrating again', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    accounts.add('alice', 'h', { actor: 'root' });
    db.close();
    db = openDb(join(dir, 'accounts.db'));
    expect(new AccountStore(db, () => now).get('alice')?.name).toBe('alice');
  });

  it('refuses a database newer than the code', () => {
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDb(join(dir, 'accounts.db'))).toThrow(/newer than this server/);
    db = openDb(join(dir, 'other.db'));
  });

  it('creates, lists, disables and re-quotas accounts, recording every action', () => {
    accounts.add('alice', 'h1', { actor: 'root', quotaBytes: 100 });
    expect(() => accounts.add('alice', 'h2', { actor: 'root' })).toThrow(/already exists/);
    expect(() => accounts.add('../x', 'h', { actor: 'root' })).toThrow(/invalid account name/);
    now = 2_000;
    accounts.setDisabled('alice', true, 'root');
    accounts.setQuota('alice', 500, 'ops');
    expect(accounts.get('alice')).toMatchObject({ quotaBytes: 500, disabledAt: 2_000, updatedAt: 2_000 });
    expect(() => accounts.setQuota('bob', 1, 'root')).toThrow(/no account bob/);
    const actions = db.prepare('SELECT actor, action, subject FROM admin_actions ORDER BY id').all();
    expect(actions).toEqual([
      { actor: 'root', action: 'account-add', subject: 'alice' },
      { actor: 'root', action: 'account-disable', subject: 'alice' },
      { actor: 'ops', action: 'quota-set', subject: 'alice' },
    ]);
    expect(() => db.prepare('DELETE FROM admin_actions').run()).toThrow(/append-only/);
  });

  it('records who granted and who revoked; grants are never deleted', () => {
    accounts.add('alice', 'h', { actor: 'root' });
    accounts.add('bob', 'h', { actor: 'root' });
    const id = grants.grant({
      account: 'bob',
      role: 'restore',
      scope: 'alice/pc',
      by: 'root',
      expiresAt: 5_000,
    });
    expect(grants.active('bob', 4_999).map((g) => g.id)).toEqual([id]);
    expect(grants.active('bob', 5_000)).toEqual([]);
    now = 3_000;
    const revoked = grants.revoke(id, 'ops');
    expect(revoked).toMatchObject({
      grantedBy: 'root',
      grantedAt: 1_000,
      revokedBy: 'ops',
      revokedAt: 3_000,
    });
    expect(grants.active('bob', 4_000)).toEqual([]);
    expect(grants.list('bob')).toHaveLength(1);
    expect(() => db.prepare('DELETE FROM grants').run()).toThrow(/never deleted/);
    expect(() => grants.grant({ account: 'bob', role: 'backup', scope: 'carol', by: 'root' })).toThrow(
      /no account carol/,
    );
    expect(() => grants.grant({ account: 'bob', role: 'backup', scope: 'alice/../x', by: 'root' })).toThrow(
      /bad segment/,
    );
    expect(() =>
      grants.grant({ account: 'bob', role: 'backup', scope: 'alice', by: 'r', expiresAt: 1 }),
    ).toThrow(/expire at once/);
  });
});

describe('grants as evidence', () => {
  it('cannot be rewritten, only revoked once; grant and revoke are recorded as admin actions', () => {
    accounts.add('alice', 'h', { actor: 'root' });
    accounts.add('bob', 'h', { actor: 'root' });
    const id = grants.grant({
      account: 'bob',
      role: 'restore',
      scope: 'alice',
      by: 'root',
      note: 'ticket 1',
    });
    for (const sql of [
      "UPDATE grants SET role = 'admin'",
      "UPDATE grants SET scope = '*'",
      'UPDATE grants SET expires_at = 1',
      "UPDATE grants SET granted_by = 'someone'",
      "UPDATE grants SET account = 'alice'",
    ]) {
      expect(() => db.prepare(sql).run(), sql).toThrow(/grants are never changed/);
    }
    now = 2_000;
    grants.revoke(id, 'ops');
    grants.revoke(id, 'ops'); // a no-op, not a second record
    expect(() => db.prepare('UPDATE grants SET revoked_at = NULL, revoked_by = NULL').run()).toThrow(
      /grants are never changed/,
    );
    expect(() => db.prepare("UPDATE grants SET revoked_by = 'someone else'").run()).toThrow(
      /grants are never changed/,
    );
    expect(grants.list('bob')[0]).toMatchObject({ role: 'restore', scope: 'alice', revokedBy: 'ops' });
    const actions = db
      .prepare("SELECT time, actor, action, subject, detail FROM admin_actions WHERE action LIKE 'grant%'")
      .all();
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
});

describe('quota ledger', () => {
  it('reserves exactly, commits, releases, and reads quota changes at once', () => {
    accounts.add('alice', 'h', { actor: 'root', quotaBytes: 100 });
    const ledger = new QuotaLedger(accounts);
    const a = ledger.reserve('alice', 60)!;
    expect(ledger.reserve('alice', 41)).toBeUndefined();
    const b = ledger.reserve('alice', 40)!;
    a.commit();
    a.commit();
    b.release();
    expect(ledger.usage('alice')).toEqual({ used: 60, reserved: 0, quota: 100 });
    expect(accounts.get('alice')?.usedBytes).toBe(60);
    expect(ledger.reserve('alice', 41)).toBeUndefined();
    accounts.setQuota('alice', 200, 'root');
    expect(ledger.reserve('alice', 41)).toBeDefined();
    ledger.removed('alice', 60);
    expect(ledger.usage('alice').used).toBe(0);
  });
});
