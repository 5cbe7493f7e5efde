import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const pkgDir = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { bin: Record<string, string> };

// That the command is a file of the repository, which `npm ci` links on a fresh clone, is checked
// for every workspace's commands by scripts/check-packages.mjs.
describe('the kluis command', () => {
  it('runs the built command line', { timeout: 30_000 }, () => {
    const r = spawnSync(process.execPath, [join(pkgDir, pkg.bin.kluis!), '--help'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('usage: kluis');
  });
});
