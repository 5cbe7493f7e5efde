import { KluisError } from '@kluis/core';
import { assertAccountName } from './accounts.ts';
import type { Db } from './db.ts';
import { type GrantView, grantActive, ROLES, type Role } from './matrix.ts';

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
 * by whom" for any past moment. Every grant and revocation is also an admin action.
 *
 * @example
 * ```ts
 * const grants = new GrantStore(db, () => Date.now());
 * grants.grant({ account: 'bob', role: 'restore', scope: 'alice/laptop', by: 'root', expiresAt });
 * ```
 */
export class GrantStore {
  private readonly activeStmt;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {
    this.activeStmt = db.prepare('SELECT * FROM grants WHERE account = ? AND revoked_at IS NULL ORDER BY id');
  }

  /** Records a new grant and returns its id. The grantee and the scope's area must exist. */
  grant(g: NewGrant): number {
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
    return this.db.transaction(() => {
      for (const name of [g.account, g.scope.split('/')[0]!]) {
        if (name !== '*' && !this.db.prepare('SELECT 1 FROM accounts WHERE name = ?').get(name)) {
          throw new KluisError('NOT_FOUND', `no account ${name} (kluis-server account list)`);
        }
      }
      const r = this.db
        .prepare(
          `INSERT INTO grants (account, role, scope, expires_at, note, granted_by, granted_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(g.account, g.role, g.scope, g.expiresAt ?? null, g.note ?? null, g.by, t);
      const id = Number(r.lastInsertRowid);
      const detail = {
        grant: id,
        role: g.role,
        scope: g.scope,
        expiresAt: g.expiresAt ?? null,
        note: g.note ?? null,
      };
      this.record(g.by, 'grant', g.account, detail);
      return id;
    })();
  }

  /** Revokes grant `id`; `NOT_FOUND` if there is none, a no-op if already revoked. */
  revoke(id: number, by: string): Grant {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT * FROM grants WHERE id = ?').get(id) as GrantRow | undefined;
      if (!row) throw new KluisError('NOT_FOUND', `no grant ${id} (kluis-server grant list)`);
      if (row.revoked_at === null) {
        this.db
          .prepare('UPDATE grants SET revoked_by = ?, revoked_at = ? WHERE id = ?')
          .run(by, this.now(), id);
        this.record(by, 'grant-revoke', row.account, { grant: id });
      }
      return toGrant(this.db.prepare('SELECT * FROM grants WHERE id = ?').get(id) as GrantRow);
    })();
  }

  private record(actor: string, action: string, subject: string, detail: Record<string, unknown>): void {
    this.db
      .prepare('INSERT INTO admin_actions (time, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)')
      .run(this.now(), actor, action, subject, JSON.stringify(detail));
  }

  /** Every grant of `account` (or of everyone), revoked and expired ones included, oldest first. */
  list(account?: string): Grant[] {
    const rows = account
      ? this.db.prepare('SELECT * FROM grants WHERE account = ? ORDER BY id').all(account)
      : this.db.prepare('SELECT * FROM grants ORDER BY id').all();
    return (rows as GrantRow[]).map(toGrant);
  }

  /** The grants of `account` in force at `now`. */
  active(account: string, now: number): Grant[] {
    const rows = this.activeStmt.all(account) as GrantRow[];
    return rows.map(toGrant).filter((g) => grantActive(g, now));
  }
}
