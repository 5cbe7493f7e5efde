import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const pkgDir = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { bin: Record<string, string> };

describe('the kluis command', () => {
  it('is a file of the repository, not of the build, so `npm ci` links it on a fresh clone', () => {
    // npm links commands before `prepare` builds the package, and skips one whose file is missing:
    // a command in dist/ left `npx kluis` and `npm run demo` without a command after `npm ci`.
    const file = pkg.bin.kluis!;
    expect(file.replace(/^\.\//, '').startsWith('dist/')).toBe(false);
    expect(existsSync(join(pkgDir, file))).toBe(true);
  });

  it('runs the built command line', { timeout: 30_000 }, () => {
    const r = spawnSync(process.execPath, [join(pkgDir, pkg.bin.kluis!), '--help'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('usage: kluis');
  });
});
