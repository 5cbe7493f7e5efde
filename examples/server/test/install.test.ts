import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnServer, until } from './_process.ts';
import { basic } from './_server.ts';

// The CLI and the server as users install them: the workspaces packed with `npm pack`, installed
// into an empty directory from those tarballs (third-party dependencies from the registry, or
// npm's cache), nothing from the checkout. Then the server started exactly as the systemd unit
// in deploy/ starts it. Needs the packages built (`npm run build`, run by `npm ci`).
const root = join(import.meta.dirname, '..', '..', '..');
const WORKSPACES = [
  'packages/core',
  'packages/retention',
  'packages/sla',
  'packages/transport-http',
  'packages/transport-s3',
  'examples/client',
  'examples/server',
];
const NOBODY = 65534;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** `Key=value` lines of a unit's [Service] section (a key may repeat). */
function unitService(file: string): [string, string][] {
  const text = readFileSync(file, 'utf8');
  const section = text.slice(text.indexOf('[Service]'), text.indexOf('[Install]'));
  return section
    .split('\n')
    .filter((l) => /^[A-Za-z]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
}

describe('production install', () => {
  it('installs from packed tarballs into an empty directory, answers --help, and runs as the systemd unit does', {
    timeout: 15 * 60_000,
  }, async () => {
    const base = mkdtempSync(join(tmpdir(), 'kluis-install-'));
    try {
      const packs = join(base, 'packs');
      mkdirSync(packs);
      for (const w of WORKSPACES)
        execFileSync('npm', ['pack', '--silent', '--pack-destination', packs], { cwd: join(root, w) });
      const tarballs = readdirSync(packs).map((f) => join(packs, f));
      expect(tarballs).toHaveLength(WORKSPACES.length);

      // /opt/kluis of the deployment: only the tarballs and the registry.
      const opt = join(base, 'opt');
      mkdirSync(opt);
      writeFileSync(
        join(opt, 'package.json'),
        JSON.stringify({ private: true, allowScripts: { 'better-sqlite3': true } }),
      );
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], {
        cwd: opt,
        stdio: 'pipe',
      });
      const core = join(opt, 'node_modules', '@kluis', 'core');
      expect(lstatSync(core).isSymbolicLink()).toBe(false); // a copy, not a link to the checkout
      expect(readdirSync(core)).toContain('LICENSE');
      const kluis = join(opt, 'node_modules', '.bin', 'kluis');
      const kluisServer = join(opt, 'node_modules', '.bin', 'kluis-server');
      expect(execFileSync(kluis, ['--help'], { encoding: 'utf8' })).toMatch(/^usage: kluis /);
      expect(execFileSync(kluisServer, ['--help'], { encoding: 'utf8' })).toMatch(/kluis-server serve/);

      // The unit's paths, below `base`; the unit's user when running as root.
      const fsRoot = join(base, 'root');
      const path = (p: string) => join(fsRoot, p);
      const service = unitService(join(import.meta.dirname, '..', 'deploy', 'kluis-server.service'));
      const get = (k: string) => service.filter(([key]) => key === k).map(([, v]) => v);
      const map = (s: string) =>
        s
          .replace('/usr/bin/kluis-server', kluisServer)
          .replace(/\/(etc|var\/lib|var\/log)\/kluis/g, (m) => path(m));
      const [execStart] = get('ExecStart');
      expect(execStart).toBe('/usr/bin/kluis-server serve --config /etc/kluis/server.json');
      for (const d of ['etc/kluis', ...get('StateDirectory').map((d) => `var/lib/${d}`)])
        mkdirSync(path(d), { recursive: true, mode: 0o700 });
      for (const d of get('LogsDirectory')) mkdirSync(path(`var/log/${d}`), { recursive: true, mode: 0o700 });
      const port = await freePort();
      const config = readFileSync(join(import.meta.dirname, '..', 'deploy', 'server.json'), 'utf8');
      writeFileSync(path('etc/kluis/server.json'), map(config).replace('"port": 8000', `"port": ${port}`));
      writeFileSync(path('etc/kluis/server.env'), 'KLUIS_METRICS_TOKEN=metrics-token-for-tests-0123456789\n');

      const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
      for (const e of get('Environment')) env[e.slice(0, e.indexOf('='))] = e.slice(e.indexOf('=') + 1);
      for (const f of get('EnvironmentFile')) {
        for (const line of readFileSync(map(f.replace(/^-/, '')), 'utf8').split('\n'))
          if (line.includes('=')) env[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
      }
      const asRoot = process.getuid?.() === 0;
      const argv = map(execStart!).split(' ');
      // As root, run as an unprivileged user (the unit's User=) who owns only the state and log
      // directories: the server must need nothing else writable.
      const asUser = (cmd: string[]) =>
        asRoot ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...cmd] : cmd;
      if (asRoot) {
        for (const d of [
          base,
          opt,
          fsRoot,
          path('etc'),
          path('etc/kluis'),
          path('var'),
          path('var/lib'),
          path('var/log'),
        ])
          chmodSync(d, 0o755);
        chmodSync(path('etc/kluis/server.json'), 0o644);
        for (const d of ['var/lib/kluis', 'var/log/kluis']) chownSync(path(d), NOBODY, NOBODY);
      }
      const [admin, ...adminArgs] = asUser([kluisServer, 'account', 'add', 'alice', ...argv.slice(2)]);
      const add = spawnSync(admin!, adminArgs, { input: 'alice long password\n', env, encoding: 'utf8' });
      expect(add.stderr).toBe('');
      expect(add.status).toBe(0);

      const [command, ...args] = asUser(argv);
      const server = await spawnServer(command!, args, { env, timeoutMs: 60_000 });
      try {
        expect(server.url).toBe(`http://127.0.0.1:${port}`);
        expect((await fetch(`${server.url}/-/health`)).status).toBe(200);
        const res = await fetch(`${server.url}/alice/laptop/config`, {
          headers: { authorization: basic('alice', 'alice long password') },
        });
        expect(res.status).toBe(404);
        const metrics = await fetch(`${server.url}/-/metrics`, {
          headers: { authorization: 'Bearer metrics-token-for-tests-0123456789' },
        });
        expect(metrics.status).toBe(200); // the token came from the EnvironmentFile
        // ExecReload: kill -HUP $MAINPID reopens the access log.
        const [reload] = get('ExecReload');
        expect(reload).toBe('/bin/kill -HUP $MAINPID');
        process.kill(server.child.pid!, 'SIGHUP');
        await until(() => server.stderr().includes('SIGHUP: access log reopened'));
      } finally {
        expect(await server.stop()).toBe(0);
      }
      const log = path('var/log/kluis/access.log');
      expect(readFileSync(log, 'utf8')).toMatch(/"user":"alice"/);
      expect(statSync(log).mode & 0o777).toBe(0o600);
      expect(statSync(path('var/lib/kluis/accounts.db')).mode & 0o777).toBe(0o600);
      if (asRoot) expect(statSync(path('var/lib/kluis/accounts.db')).uid).toBe(NOBODY);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
