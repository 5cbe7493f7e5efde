/**
 * The authorisation matrix: which role may do what, and which repositories a grant covers.
 * Pure functions over grants; the database and the clock are the caller's.
 */

/** The roles a grant can give. */
export type Role = 'admin' | 'backup' | 'maintenance' | 'restore' | 'auditor';

/**
 * Every role, in order of decreasing power.
 *
 * @example
 * ```ts
 * if (!ROLES.includes(input as Role)) throw new Error('unknown role');
 * ```
 */
export const ROLES: readonly Role[] = ['admin', 'maintenance', 'backup', 'restore', 'auditor'];

/** What a request does to a repository (the REST handler's operations). */
export type RepoOperation = 'create-repo' | 'delete-repo' | 'read' | 'list' | 'write' | 'delete' | 'stat';

/** Server-level actions that are not on a repository. */
export type ServerAction = 'read-log' | 'metrics' | 'read-account';

/**
 * `yes`, `no`, `locks` (allowed only on objects of type `locks`), or `retained`: deletes of
 * `locks`, `data`, `index` and `snapshots` objects, those of {@link RETAINED_TYPES} only when the
 * retention lock allows (never `keys` or `config`).
 */
export type Permission = 'yes' | 'no' | 'locks' | 'retained';

/**
 * Object types under the retention lock: a delete by anyone but an admin is refused while the
 * object is younger than the account's protected days. Snapshots and data packs are the
 * versions themselves; index files are not locked because prune must replace them and every pack
 * names its own blobs, so an index can be rebuilt from the packs.
 *
 * @example
 * ```ts
 * RETAINED_TYPES.has('snapshots'); // true
 * ```
 */
export const RETAINED_TYPES: ReadonlySet<string> = new Set(['data', 'snapshots']);

const MAINTENANCE_DELETES: ReadonlySet<string> = new Set(['locks', 'data', 'index', 'snapshots']);

/**
 * The matrix itself. `backup` is append-only: it adds objects and may remove only lock
 * files, so a stolen backup credential cannot destroy backups. `maintenance` is what retention
 * needs (`kluis forget --prune`): read, write, and delete objects the retention lock no longer
 * protects; never keys, the config, repositories, the log or the metrics. Overwriting an existing
 * object is refused for everyone by the REST handler. `auditor` reads the access log and nothing else.
 * Every role may read its area's account settings (`read-account`: retention days, protected
 * days, quota and usage), which a client needs to apply the account's retention and which hold
 * no backup data; an auditor checks them as part of an audit.
 *
 * @example
 * ```ts
 * MATRIX.backup.delete; // 'locks'
 * ```
 */
export const MATRIX: Readonly<Record<Role, Readonly<Record<RepoOperation | ServerAction, Permission>>>> = {
  admin: {
    'create-repo': 'yes',
    'delete-repo': 'yes',
    read: 'yes',
    list: 'yes',
    stat: 'yes',
    write: 'yes',
    delete: 'yes',
    'read-log': 'yes',
    metrics: 'yes',
    'read-account': 'yes',
  },
  backup: {
    'create-repo': 'yes',
    'delete-repo': 'no',
    read: 'yes',
    list: 'yes',
    stat: 'yes',
    write: 'yes',
    delete: 'locks',
    'read-log': 'no',
    metrics: 'no',
    'read-account': 'yes',
  },
  maintenance: {
    'create-repo': 'no',
    'delete-repo': 'no',
    read: 'yes',
    list: 'yes',
    stat: 'yes',
    write: 'yes',
    delete: 'retained',
    'read-log': 'no',
    metrics: 'no',
    'read-account': 'yes',
  },
  restore: {
    'create-repo': 'no',
    'delete-repo': 'no',
    read: 'yes',
    list: 'yes',
    stat: 'yes',
    write: 'no',
    delete: 'no',
    'read-log': 'no',
    metrics: 'no',
    'read-account': 'yes',
  },
  auditor: {
    'create-repo': 'no',
    'delete-repo': 'no',
    read: 'no',
    list: 'no',
    stat: 'no',
    write: 'no',
    delete: 'no',
    'read-log': 'yes',
    metrics: 'no',
    'read-account': 'yes',
  },
};

/** A grant as the matrix sees it. */
export interface GrantView {
  id: number;
  role: Role;
  /** `*` (everything), an account name (its whole area) or a repository path `account/repo...`. */
  scope: string;
  /** Milliseconds since the epoch; `undefined` never expires. */
  expiresAt: number | undefined;
  revokedAt: number | undefined;
}

/**
 * True when `scope` covers the repository or area `path` (no leading or trailing `/`): `*` covers
 * all, otherwise `path` must equal the scope or lie below it on a segment boundary.
 *
 * @example
 * ```ts
 * scopeCovers('alice', 'alice/laptop'); // true
 * scopeCovers('alice', 'alice2/laptop'); // false
 * ```
 */
export function scopeCovers(scope: string, path: string): boolean {
  return scope === '*' || path === scope || path.startsWith(`${scope}/`);
}

/**
 * True when the grant is in force at `now`: not revoked, not expired.
 *
 * @example
 * ```ts
 * const current = grants.filter((g) => grantActive(g, Date.now()));
 * ```
 */
export function grantActive(g: GrantView, now: number): boolean {
  return g.revokedAt === undefined && (g.expiresAt === undefined || now < g.expiresAt);
}

/**
 * The active grant that allows `action` on `path` (an object of `type`), or `undefined`. For
 * server actions `path` is the area concerned (or `*` for the whole server). A grant that allows
 * outright is preferred to one that allows under the retention lock (`retained`), which the caller
 * must still check ({@link RETAINED_TYPES}).
 *
 * @example
 * ```ts
 * const g = permit(grants, { action: 'delete', path: 'alice/laptop', type: 'locks' }, Date.now());
 * if (!g) return forbidden();
 * ```
 */
export function permit(
  grants: readonly GrantView[],
  request: { action: RepoOperation | ServerAction; path: string; type?: string | undefined },
  now: number,
): GrantView | undefined {
  const type = request.type ?? '';
  let retained: GrantView | undefined;
  for (const g of grants) {
    if (!grantActive(g, now) || !scopeCovers(g.scope, request.path)) continue;
    const p = MATRIX[g.role][request.action];
    if (p === 'yes' || (p === 'locks' && type === 'locks')) return g;
    if (p === 'retained' && MAINTENANCE_DELETES.has(type)) retained ??= g;
  }
  return retained;
}
