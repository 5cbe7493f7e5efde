import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Authenticator, parseBasic } from '../src/authenticator.ts';
import { LockoutTracker } from '../src/lockout.ts';
import { hashPassword } from '../src/password.ts';
import { openStore } from '../src/store.ts';
import { freshDatabase, projectEngine } from './_engines.ts';
import { basic, FAST_SCRYPT } from './_server.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'kluis-auth-'));
  dirs.push(dir);
  const clock = { now: 0 };
  const store = await openStore(await freshDatabase(projectEngine(), dir), () => clock.now);
  const db = { close: () => store.close() };
  const { accounts } = store;
  await accounts.add('alice', await hashPassword('right password', FAST_SCRYPT), { actor: 't' });
  const policy = { maxFailures: 2, windowMs: 60_000, baseLockMs: 10_000, maxLockMs: 60_000 };
  const lockout = new LockoutTracker(store.sql, policy, () => clock.now);
  const failed: string[] = [];
  const auth = await Authenticator.create({
    accounts,
    lockout,
    now: () => clock.now,
    scrypt: FAST_SCRYPT,
    events: { failed: (e) => failed.push(e.reason), lockout: () => {} },
  });
  return { auth, accounts, clock, failed, db };
}

describe('authenticator', () => {
  it('keeps a client whose password was verified before working through an account lockout', async () => {
    const { auth, db } = await setup();
    expect(await auth.check(basic('alice', 'right password'), '10.0.0.1')).toEqual({
      ok: true,
      account: 'alice',
    });
    await auth.check(basic('alice', 'guess 1'), '10.0.0.2');
    await auth.check(basic('alice', 'guess 2'), '10.0.0.3');
    expect(await auth.check(basic('alice', 'guess 3'), '10.0.0.4')).toMatchObject({ status: 429 });
    expect(await auth.check(basic('alice', 'right password'), '10.0.0.1')).toEqual({
      ok: true,
      account: 'alice',
    });
    await db.close();
  });

  it('applies a password change or a disable at the next request', async () => {
    const { auth, accounts, db } = await setup();
    expect((await auth.check(basic('alice', 'right password'), 'a')).ok).toBe(true);
    await accounts.setPassword('alice', await hashPassword('new password', FAST_SCRYPT), 't');
    expect(await auth.check(basic('alice', 'right password'), 'a')).toMatchObject({ status: 401 });
    expect((await auth.check(basic('alice', 'new password'), 'a')).ok).toBe(true);
    await accounts.setDisabled('alice', true, 't');
    expect(await auth.check(basic('alice', 'new password'), 'b')).toMatchObject({
      reason: 'account disabled',
    });
    await db.close();
  });

  it('shares one check between concurrent identical logins, but counts each failure', async () => {
    const { auth, failed, db } = await setup();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => auth.check(basic('alice', 'right password'), 'a')),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    await Promise.all([auth.check(basic('bob', 'x'), 'c'), auth.check(basic('bob', 'x'), 'd')]);
    expect(failed).toEqual(['unknown account', 'unknown account']);
    await db.close();
  });

  it('parses Basic credentials strictly', () => {
    expect(parseBasic(basic('alice', 'p:w'))).toEqual({ user: 'alice', password: 'p:w' });
    expect(parseBasic('Bearer abc')).toBeUndefined();
    expect(parseBasic(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBeUndefined();
    expect(parseBasic(`Basic ${Buffer.from(':pw').toString('base64')}`)).toBeUndefined();
    expect(parseBasic(null)).toBeUndefined();
  });
});
