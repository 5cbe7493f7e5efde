#!/usr/bin/env node
// Checks every publishable package as users get it: every module it imports is declared in its
// dependencies (a missing one works in the monorepo, where workspaces hoist, and fails once
// installed), it carries the repository's LICENSE, then `npm pack`, publint and
// are-the-types-wrong (ESM only, libraries) on the tarball. Then every command a workspace declares, as
// `npm ci` links it: a file of the repository (npm links commands before `prepare` builds, and
// skips a missing file), linked in node_modules/.bin, and answering `--help`; and `kluis demo`. Needs a prior
// `npm run build` (run by `prepare`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'kluis-pack-'));
const bin = (name) => join(root, 'node_modules', '.bin', name);
let failed = 0;

/** The source files of a package that ship (tests and benchmarks do not). */
function sources(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(path));
    else if (/\.(ts|js|mjs)$/.test(e.name) && !/\.test\.ts$/.test(e.name)) out.push(path);
  }
  return out;
}

/** Bare specifiers a module imports (static, dynamic and `export … from`), as package names. */
function importedPackages(file) {
  // Comments go first: TSDoc examples import test runners the package does not depend on.
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const names = new Set();
  const re =
    /(?:^|[\s;}])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith('.') || spec.startsWith('node:') || spec.startsWith('#')) continue;
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
    if (!builtinModules.includes(name)) names.add(name);
  }
  return names;
}

const publishable = [];
for (const group of ['packages', 'examples']) {
  for (const dir of readdirSync(join(root, group))) {
    const pkgDir = join(root, group, dir);
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    if (!pkg.private) publishable.push({ pkgDir, pkg, library: group === 'packages' });
  }
}

const license = readFileSync(join(root, 'LICENSE'), 'utf8');
for (const { pkgDir, pkg } of publishable) {
  const declared = new Set([pkg.name, ...Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })]);
  const missing = new Map();
  for (const dir of ['src', 'bin']) {
    let files = [];
    try {
      files = sources(join(pkgDir, dir));
    } catch {}
    for (const file of files)
      for (const name of importedPackages(file))
        if (!declared.has(name)) missing.set(name, relative(root, file));
  }
  const problems = [...missing].map(([name, file]) => `imports ${name} (${file}) without declaring it`);
  let own = '';
  try {
    own = readFileSync(join(pkgDir, 'LICENSE'), 'utf8');
  } catch {}
  if (own !== license) problems.push("has no LICENSE, or one that differs from the repository's");
  if (!pkg.files?.includes('LICENSE')) problems.push('does not list LICENSE in "files"');
  for (const field of ['description', 'repository', 'homepage', 'bugs'])
    if (!pkg[field]) problems.push(`has no "${field}"`);
  for (const [name, range] of Object.entries({ ...pkg.dependencies, ...pkg.peerDependencies }))
    if (name.startsWith('@kluis/') && !/^\^\d+\.\d+\.\d+$/.test(range))
      problems.push(`depends on ${name} as ${JSON.stringify(range)}, not a version range`);
  if (problems.length) {
    failed++;
    console.log(`FAIL ${pkg.name}\n  ${problems.join('\n  ')}`);
  } else console.log(`ok   ${pkg.name} declares what it imports`);
}

try {
  for (const { pkgDir, pkg, library } of publishable) {
    const [{ filename }] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: pkgDir, encoding: 'utf8' }),
    );
    const tgz = join(out, filename);
    const size = statSync(tgz).size;
    try {
      execFileSync(bin('publint'), ['run', tgz, '--strict'], { stdio: 'pipe', encoding: 'utf8' });
      if (library)
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
// The README's first command, through the built packages as `npm ci` links them: a real backup,
// edit, incremental backup, restore and check in a temporary directory (worker threads included,
// which only a built package starts from its own files).
const demoDir = mkdtempSync(join(tmpdir(), 'kluis-demo-check-'));
try {
  const outText = execFileSync(bin('kluis'), ['demo'], { cwd: demoDir, stdio: 'pipe', encoding: 'utf8' });
  if (!/restored tree identical to the original: yes; repository check: no errors/.test(outText))
    throw new Error(`unexpected output:\n${outText}`);
  console.log('ok   kluis demo (the README quick start, built)');
} catch (e) {
  failed++;
  console.log(`FAIL kluis demo: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
} finally {
  rmSync(demoDir, { recursive: true, force: true });
}
if (failed) process.exit(1);
