#!/usr/bin/env node
// Checks every publishable package as users get it: `npm pack`, then publint and
// are-the-types-wrong (ESM only) on the tarball. Needs a prior `npm run build` (run by `prepare`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'kluis-pack-'));
const bin = (name) => join(root, 'node_modules', '.bin', name);
let failed = 0;
try {
  for (const dir of readdirSync(join(root, 'packages'))) {
    const pkgDir = join(root, 'packages', dir);
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    if (pkg.private) continue;
    const [{ filename }] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: pkgDir, encoding: 'utf8' }),
    );
    const tgz = join(out, filename);
    const size = statSync(tgz).size;
    try {
      execFileSync(bin('publint'), ['run', tgz, '--strict'], { stdio: 'pipe', encoding: 'utf8' });
      execFileSync(bin('attw'), [tgz, '--profile', 'esm-only', '--format', 'ascii'], {
        stdio: 'pipe',
        encoding: 'utf8',
      });
      console.log(`ok   ${pkg.name} (${size} bytes packed)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${pkg.name}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (failed) process.exit(1);
