import { lstat, readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import ignore from 'ignore';

/** What a backup will go through: regular files and their bytes. */
export interface ScanTotals {
  files: number;
  bytes: number;
}

/**
 * Adds up the files and bytes below `paths` with the backup's exclude patterns (matched as the
 * backup matches them: against paths starting with each root's name), so the progress line can
 * show totals and an ETA. It runs alongside the backup, as restic's scanner does; unreadable
 * entries are skipped (the backup reports them). Stops early, with `undefined`, once `signal` aborts.
 */
export async function scanTotals(
  paths: readonly string[],
  exclude: readonly string[],
  signal: AbortSignal,
): Promise<ScanTotals | undefined> {
  const ig = ignore().add([...exclude]);
  const totals: ScanTotals = { files: 0, bytes: 0 };
  const visit = async (abs: string, rel: string): Promise<void> => {
    if (signal.aborted) return;
    const st = await lstat(abs).catch(() => undefined);
    if (!st) return;
    if (st.isFile()) {
      totals.files++;
      totals.bytes += st.size;
      return;
    }
    if (!st.isDirectory()) return;
    const names = await readdir(abs).catch(() => [] as string[]);
    for (let i = 0; i < names.length && !signal.aborted; i += 64) {
      await Promise.all(
        names.slice(i, i + 64).map(async (name) => {
          const child = `${rel}/${name}`;
          if (exclude.length && (ig.ignores(child) || ig.ignores(`${child}/`))) {
            // A file pattern must not drop a directory of the same name, nor the reverse.
            const s = await lstat(join(abs, name)).catch(() => undefined);
            if (s && ig.ignores(s.isDirectory() ? `${child}/` : child)) return;
          }
          await visit(join(abs, name), child);
        }),
      );
    }
  };
  for (const p of paths) {
    const abs = resolve(p);
    await visit(abs, basename(abs) || 'root');
  }
  return signal.aborted ? undefined : totals;
}
