import { KluisError } from '@kluis/core';
import { assertAccountName, recordAction } from './accounts.ts';
import { type GrantView, grantActive, ROLES, type Role } from './matrix.ts';
import type { Sql } from './sql.ts';

/** A grant with its history: who gave it, when, why, and whether and by whom it was revoked. */
export interface Grant extends GrantView {
  account: string;
  note: string | undefined;
  grantedBy: string;
  grantedAt: number;
  revokedBy: string | undefined;
}

interface GrantRow {
  id: number;
  account: string;
  role: string;
  scope: string;
  expires_at: number | null;
  note: string | null;
  granted_by: string;
  granted_at: number;
  revoked_by: string | null;
  revoked_at: number | null;
}

/** What {@link GrantStore.grant} needs. */
export interface NewGrant {
  account: string;
  role: Role;
  scope: string;
  expiresAt?: number | undefined;
  note?: string | undefined;
  /** Who gives the grant (recorded). */
  by: string;
}

function toGrant(r: GrantRow): Grant {
  return {
    id: r.id,
    account: r.account,
    role: r.role as Role,
    scope: r.scope,
    expiresAt: r.expires_at ?? undefined,
    note: r.note ?? undefined,
    grantedBy: r.granted_by,
    grantedAt: r.granted_at,
    revokedBy: r.revoked_by ?? undefined,
    revokedAt: r.revoked_at ?? undefined,
  };
}

/**
 * Throws unless `scope` is `*`, an account name, or a repository path below one
 * (`alice/laptop`, segments of `[A-Za-z0-9._-]` not starting with a dot).
 *
 * @example
 * ```ts
 * assertScope('alice/laptop');
 * ```
 */
export function assertScope(scope: string): void {
  if (scope === '*') return;
  const [area, ...rest] = scope.split('/');
  assertAccountName(area ?? '');
  for (const seg of rest) {
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(seg)) {
      throw new KluisError(
        'INVALID_CONFIG',
        `invalid scope ${JSON.stringify(scope)}: bad segment ${JSON.stringify(seg)}`,
      );
    }
  }
}

/**
 * The grants table. Grants are never deleted nor changed (database triggers refuse it): revoking
 * one records who revoked it and when, once, so the table answers "who could do what, when, given
 * by whom" for any past moment. Every grant and revocation is also an admin action. Grants are
 * read from the database on every request, so a revocation applies on every server node at once.
 *
 * @example
 * ```ts
 * const grants = new GrantStore(sql, () => Date.now());
 * await grants.grant({ account: 'bob', role: 'restore', scope: 'alice/laptop', by: 'root', expiresAt });
 * ```
 */
export class GrantStore {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => number,
  ) {}

  /** Records a new grant and returns its id. The grantee and the scope's area must exist. */
  async grant(g: NewGrant): Promise<number> {
    if (!ROLES.includes(g.role))
      throw new KluisError('INVALID_CONFIG', `unknown role ${g.role}: ${ROLES.join(', ')}`);
    assertScope(g.scope);
    const t = this.now();
    if (g.expiresAt !== undefined && g.expiresAt <= t) {
      throw new KluisError(
        'INVALID_CONFIG',
        `grant would expire at once (${new Date(g.expiresAt).toISOString()})`,
      );
    }
    return this.sql.transaction(async (tx) => {
      for (const name of [g.account, g.scope.split('/')[0]!]) {
        if (name !== '*' && !(await tx.get('SELECT 1 FROM accounts WHERE name = ?', [name]))) {
          throw new KluisError('NOT_FOUND', `no account ${name} (kluis-server account list)`);
        }
      }
      const row = await tx.get<{ id: number }>(
        `INSERT INTO grants (account, role, scope, expires_at, note, granted_by, granted_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        [g.account, g.role, g.scope, g.expiresAt ?? null, g.note ?? null, g.by, t],
      );
      const id = Number(row!.id);
      const detail = {
        grant: id,
        role: g.role,
        scope: g.scope,
        expiresAt: g.expiresAt ?? null,
        note: g.note ?? null,
      };
      await recordAction(tx, this.now(), g.by, 'grant', g.account, detail);
      return id;
    });
  }

  /** Revokes grant `id`; `NOT_FOUND` if there is none, a no-op if already revoked. */
  revoke(id: number, by: string): Promise<Grant> {
    return this.sql.transaction(async (tx) => {
      const row = await tx.get<GrantRow>(`SELECT * FROM grants WHERE id = ?${tx.forUpdate}`, [id]);
      if (!row) throw new KluisError('NOT_FOUND', `no grant ${id} (kluis-server grant list)`);
      if (row.revoked_at === null) {
        await tx.run('UPDATE grants SET revoked_by = ?, revoked_at = ? WHERE id = ?', [by, this.now(), id]);
        await recordAction(tx, this.now(), by, 'grant-revoke', row.account, { grant: id });
      }
      return toGrant((await tx.get<GrantRow>('SELECT * FROM grants WHERE id = ?', [id]))!);
    });
  }

  /** Every grant of `account` (or of everyone), revoked and expired ones included, oldest first. */
  async list(account?: string): Promise<Grant[]> {
    const rows = account
      ? await this.sql.all<GrantRow>('SELECT * FROM grants WHERE account = ? ORDER BY id', [account])
      : await this.sql.all<GrantRow>('SELECT * FROM grants ORDER BY id');
    return rows.map(toGrant);
  }

  /** The grants of `account` in force at `now`. */
  async active(account: string, now: number): Promise<Grant[]> {
    const rows = await this.sql.all<GrantRow>(
      'SELECT * FROM grants WHERE account = ? AND revoked_at IS NULL ORDER BY id',
      [account],
    );
    return rows.map(toGrant).filter((g) => grantActive(g, now));
  }
}
