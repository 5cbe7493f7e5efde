import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it('stops writing, and fails nothing, when its reader goes away (kluis ls | head)', {
    timeout: 60_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kluis-pipe-'));
    try {
      const env = { ...process.env, KLUIS_PASSWORD: 'pw', KLUIS_REPOSITORY: join(dir, 'repo') };
      const kluis = (...args: string[]) => {
        const r = spawnSync(process.execPath, [join(pkgDir, pkg.bin.kluis!), ...args], {
          env,
          encoding: 'utf8',
        });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
      };
      const files = join(dir, 'files');
      mkdirSync(files);
      // ~3,000 lines of `ls`: far more than a pipe holds.
      for (let i = 0; i < 3000; i++) writeFileSync(join(files, `file-${i}.txt`), `${i}\n`);
      kluis('init', '--scrypt-n', '1024');
      kluis('backup', files);
      const child = spawn(process.execPath, [join(pkgDir, pkg.bin.kluis!), 'ls', 'latest'], { env });
      let err = '';
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
      });
      let got = 0;
      child.stdout.once('data', (b: Buffer) => {
        got = b.length;
        child.stdout.destroy(); // the reader is gone, as `head` is after its lines
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(got).toBeGreaterThan(0);
      expect(err).toBe('');
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
