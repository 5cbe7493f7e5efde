import { describe, expect, it } from 'vitest';
import { type GrantView, MATRIX, permit, type RepoOperation, scopeCovers } from '../src/matrix.ts';

const grant = (role: GrantView['role'], scope: string, extra: Partial<GrantView> = {}): GrantView => ({
  id: 1,
  role,
  scope,
  expiresAt: undefined,
  revokedAt: undefined,
  ...extra,
});

const OPS: RepoOperation[] = ['create-repo', 'delete-repo', 'read', 'list', 'write', 'delete', 'stat'];

describe('authorisation matrix', () => {
  it('scopes cover paths on segment boundaries only', () => {
    expect(scopeCovers('*', 'anything/at/all')).toBe(true);
    expect(scopeCovers('alice', 'alice')).toBe(true);
    expect(scopeCovers('alice', 'alice/laptop')).toBe(true);
    expect(scopeCovers('alice', 'alice2/laptop')).toBe(false);
    expect(scopeCovers('alice/laptop', 'alice/laptop-old')).toBe(false);
    expect(scopeCovers('alice/laptop', 'alice')).toBe(false);
  });

  it('backup is append-only: no delete except locks, no repository removal', () => {
    const g = [grant('backup', 'alice')];
    const allowed = OPS.filter((action) => permit(g, { action, path: 'alice/pc', type: 'data' }, 0));
    expect(allowed).toEqual(['create-repo', 'read', 'list', 'write', 'stat']);
    expect(permit(g, { action: 'delete', path: 'alice/pc', type: 'locks' }, 0)).toBeDefined();
    expect(permit(g, { action: 'read-log', path: 'alice' }, 0)).toBeUndefined();
  });

  it('maintenance reads, writes and deletes objects under the retention lock, never keys or the config', () => {
    const g = [grant('maintenance', 'alice', { expiresAt: 100 })];
    const allowed = OPS.filter((action) => permit(g, { action, path: 'alice/pc', type: 'data' }, 0));
    expect(allowed).toEqual(['read', 'list', 'write', 'delete', 'stat']);
    for (const type of ['keys', 'config']) {
      expect(permit(g, { action: 'delete', path: 'alice/pc', type }, 0)).toBeUndefined();
    }
    expect(permit(g, { action: 'delete', path: 'alice/pc', type: 'data' }, 100)).toBeUndefined();
    expect(permit(g, { action: 'metrics', path: '*' }, 0)).toBeUndefined();
    expect(permit(g, { action: 'read-log', path: 'alice' }, 0)).toBeUndefined();
    // An admin grant is preferred for a delete, so the retention lock does not apply to it.
    const both = [grant('maintenance', 'alice'), grant('admin', 'alice', { id: 2 })];
    expect(permit(both, { action: 'delete', path: 'alice/pc', type: 'data' }, 0)?.role).toBe('admin');
  });

  it('restore reads only, auditor reads the log only, admin does everything', () => {
    const can = (role: GrantView['role']) =>
      OPS.filter((action) => permit([grant(role, '*')], { action, path: 'a/b', type: 'data' }, 0));
    expect(can('restore')).toEqual(['read', 'list', 'stat']);
    expect(can('auditor')).toEqual([]);
    expect(can('admin')).toEqual(OPS);
    expect(MATRIX.auditor['read-log']).toBe('yes');
  });

  it('expired and revoked grants allow nothing', () => {
    const req = { action: 'read', path: 'alice/pc' } as const;
    expect(permit([grant('restore', 'alice', { expiresAt: 100 })], req, 99)).toBeDefined();
    expect(permit([grant('restore', 'alice', { expiresAt: 100 })], req, 100)).toBeUndefined();
    expect(permit([grant('restore', 'alice', { revokedAt: 5 })], req, 0)).toBeUndefined();
  });
});
