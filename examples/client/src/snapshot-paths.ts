import { posix } from 'node:path';

/**
 * How a user's path maps into a snapshot's tree. A snapshot's tree holds one entry per backed-up
 * path, named after its last component (`/tmp/x/data` is `data`, `/` is `root`), while `snapshots`
 * shows the absolute paths. So a path is accepted in three forms, all meaning `data/doc/git`:
 * `/tmp/x/data/doc/git` (as `snapshots` shows it), `data/doc/git` (as `ls` prints it) and `doc/git`
 * (relative to a backed-up path).
 */
export function treePaths(path: string, snapshotPaths: readonly string[]): string[] {
  const p = clean(path);
  if (path.startsWith('/')) {
    const out: string[] = [];
    for (const s of snapshotPaths) {
      const root = clean(s);
      const rest =
        root === '' ? p : p === root ? '' : p.startsWith(`${root}/`) ? p.slice(root.length + 1) : undefined;
      if (rest !== undefined) out.push(rest ? `${rootName(s)}/${rest}` : rootName(s));
    }
    return out;
  }
  if (p === '') return [''];
  return [...new Set([p, ...snapshotPaths.map((s) => `${rootName(s)}/${p}`)])];
}

/**
 * The gitignore patterns an `--include` pattern stands for: an absolute path under a backed-up
 * path becomes its tree path; any other pattern also applies below each backed-up path.
 */
export function includePatterns(pattern: string, snapshotPaths: readonly string[]): string[] {
  const dirOnly = pattern.endsWith('/') && pattern.length > 1 ? '/' : '';
  if (pattern.startsWith('/')) {
    const mapped = treePaths(pattern, snapshotPaths);
    return mapped.length ? mapped.map((m) => `/${m}${dirOnly}`) : [pattern];
  }
  const p = pattern.replace(/^\.\//, '');
  return [...new Set([p, ...snapshotPaths.map((s) => `/${rootName(s)}/${p}`)])];
}

/** The name a backed-up path has at the top of a snapshot's tree. */
function rootName(snapshotPath: string): string {
  return posix.basename(clean(snapshotPath)) || 'root';
}

/** Without `./`, repeated, leading and trailing slashes. */
function clean(path: string): string {
  return posix
    .normalize(`/${path}`)
    .replace(/^\/+|\/+$/g, '')
    .replace(/^\.$/, '');
}
