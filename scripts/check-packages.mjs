#!/usr/bin/env node
// Checks every publishable package as users get it: `npm pack`, then publint and
// are-the-types-wrong (ESM only) on the tarball. Then every command a workspace declares, as
// `npm ci` links it: a file of the repository (npm links commands before `prepare` builds, and
// skips a missing file), linked in node_modules/.bin, and answering `--help`. Needs a prior
// `npm run build` (run by `prepare`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

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

const tracked = new Set(execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n'));
for (const group of ['packages', 'examples']) {
  for (const dir of readdirSync(join(root, group))) {
    const pkgDir = join(root, group, dir);
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    const bins = typeof pkg.bin === 'string' ? { [pkg.name.split('/').pop()]: pkg.bin } : (pkg.bin ?? {});
    for (const [name, file] of Object.entries(bins)) {
      const path = join(pkgDir, file);
      try {
        if (!tracked.has(relative(root, path))) throw new Error(`${file} is not a file of the repository`);
        if (realpathSync(bin(name)) !== realpathSync(path))
          throw new Error(`node_modules/.bin/${name} is not ${file}`);
        execFileSync(bin(name), ['--help'], { stdio: 'pipe', encoding: 'utf8' });
        console.log(`ok   command ${name} (${pkg.name})`);
      } catch (e) {
        failed++;
        console.log(`FAIL command ${name} (${pkg.name}): ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
      }
    }
  }
}
if (failed) process.exit(1);
