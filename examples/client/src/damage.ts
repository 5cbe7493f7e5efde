import type { Repository } from '@kluis/core';
import type { Context } from './context';
import { short } from './format';

/** Objects found damaged while a command ran (left out; `kluis check` reports them in full). */
interface Damaged {
  key: string;
}

/**
 * Warns in one line on stderr about damaged snapshot or index files a command passed over, so
 * the command can go on with the intact ones.
 */
export function warnDamaged(
  ctx: Context,
  what: 'snapshot' | 'index file',
  damaged: readonly Damaged[],
): void {
  if (damaged.length === 0) return;
  const ids = damaged.map((d) => short(d.key.slice(d.key.indexOf('/') + 1)));
  const shown = ids.length > 3 ? `${ids.slice(0, 3).join(', ')}, …` : ids.join(', ');
  const fix = what === 'snapshot' ? '`kluis forget ID` removes one' : 'run `kluis check`';
  ctx.io.stderr(`kluis: warning: skipped ${damaged.length} damaged ${what}(s) (${shown}); ${fix}\n`);
}

/** Warns about index files the repository's index was loaded without. */
export function warnDamagedIndex(ctx: Context, repo: Repository): void {
  warnDamaged(ctx, 'index file', repo.blobs.damaged);
}
