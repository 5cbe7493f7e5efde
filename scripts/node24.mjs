// Finds or installs a Node 24 binary for the cross-runtime test and the benchmarks: the npm
// registry ships it inside the package node-<platform>-<arch>@24, installed with npm into
// .bench/node24 (ignored by git) the first time, then reused.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The package that carries this platform's Node binary. */
export const node24Package = `node-${process.platform}-${process.arch}@24`;

/**
 * Path of a working Node 24 binary: this very process when it is Node 24, else the cached one,
 * installed with npm when missing. Throws (with npm's output) when it cannot be installed.
 */
export function ensureNode24(cache = join(root, '.bench', 'node24')) {
  if (process.versions.node.split('.')[0] === '24') return process.execPath;
  const name = node24Package.slice(0, node24Package.lastIndexOf('@'));
  const bin = join(cache, 'node_modules', name, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  const works = () => existsSync(bin) && spawnSync(bin, ['--version']).stdout?.toString().startsWith('v24.');
  if (works()) return bin;
  mkdirSync(cache, { recursive: true });
  execFileSync(
    'npm',
    [
      'install',
      '--prefix',
      cache,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      node24Package,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (!works()) throw new Error(`${node24Package} installed into ${cache} but ${bin} does not run`);
  return bin;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(ensureNode24());
