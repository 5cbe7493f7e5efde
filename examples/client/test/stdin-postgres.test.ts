import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A real database dump piped through `kluis backup --stdin` and restored with `psql` from
// `kluis dump`: a throw-away PostgreSQL cluster on 127.0.0.1, started here and stopped after.
const exec = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');
const kluis = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(import.meta.dirname, '..', 'bin', 'kluis.js'))}`;

/** The newest installed server's bin directory, installing Debian's `postgresql` when missing. */
function postgresBin(): string | undefined {
  const find = () => {
    const base = '/usr/lib/postgresql';
    if (!existsSync(base)) return undefined;
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    return versions[0] === undefined ? undefined : join(base, versions[0], 'bin');
  };
  if (find()) return find();
  // pg_ctlcluster comes with the server packages (the client alone does not have it).
  spawnSync('bash', [join(root, 'scripts', 'ensure-debian-package.sh'), 'postgresql', 'pg_ctlcluster'], {
    stdio: 'inherit',
    timeout: 20 * 60_000,
  });
  return find();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const bin = postgresBin();
let dir: string;
let port: number;
/** initdb and pg_ctl refuse to run as root: they run as the postgres user then. */
const asOwner = (cmd: string, args: string[]) =>
  process.getuid?.() === 0 ? exec('runuser', ['-u', 'postgres', '--', cmd, ...args]) : exec(cmd, args);
const sh = (script: string) =>
  exec('bash', ['-o', 'pipefail', '-c', script], {
    env: { ...process.env, KLUIS_THREADS: '0', KLUIS_PASSWORD: 'pw', KLUIS_REPOSITORY: join(dir, 'repo') },
    maxBuffer: 64 << 20,
  });
const pg = (tool: string) => `${JSON.stringify(join(bin!, tool))} -h 127.0.0.1 -p ${port} -U kluis`;

describe.skipIf(!bin)('backup --stdin of a PostgreSQL dump', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kluis-pg-'));
    if (process.getuid?.() === 0) chownSync(dir, Number((await exec('id', ['-u', 'postgres'])).stdout), 0);
    port = await freePort();
    await asOwner(join(bin!, 'initdb'), [
      '-D',
      join(dir, 'data'),
      '-U',
      'kluis',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await asOwner(join(bin!, 'pg_ctl'), [
      '-D',
      join(dir, 'data'),
      '-o',
      opts,
      '-l',
      join(dir, 'log'),
      '-w',
      'start',
    ]);
  }, 120_000);
  afterAll(async () => {
    if (dir && existsSync(join(dir, 'data', 'postmaster.pid')))
      await asOwner(join(bin!, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pg_dump | kluis backup --stdin, then kluis dump | psql gives the same database', async () => {
    await sh(`${pg('psql')} -d postgres -v ON_ERROR_STOP=1 -qc 'CREATE DATABASE shop'`);
    await sh(
      `${pg('psql')} -d shop -v ON_ERROR_STOP=1 -q <<'SQL'
CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL, note text, paid numeric(10,2), blob bytea);
INSERT INTO orders SELECT i, 'klant ' || i || ' ✓', repeat(md5(i::text), 1 + i % 7), i * 1.25,
  decode(md5(i::text), 'hex') FROM generate_series(1, 20000) i;
CREATE INDEX orders_customer ON orders (customer);
CREATE VIEW big AS SELECT * FROM orders WHERE paid > 100;
SQL`,
    );
    await sh(`${kluis} init --scrypt-n 1024`);
    const backup = await sh(
      `${pg('pg_dump')} -d shop | tee ${dir}/sent.sql | ${kluis} backup --stdin --stdin-filename shop.sql --tag db --json`,
    );
    const snapshot = JSON.parse(backup.stdout);
    expect(snapshot.paths).toEqual(['shop.sql']);
    expect(snapshot.summary.filesNew).toBe(1);
    expect(snapshot.summary.bytesTotal).toBeGreaterThan(1_000_000);
    // The dump is the bytes pg_dump wrote, byte for byte (each pg_dump differs: a random \restrict key).
    const original = readFileSync(join(dir, 'sent.sql'), 'utf8');
    const dumped = (await sh(`${kluis} dump latest shop.sql`)).stdout;
    expect(dumped).toBe(original);
    await sh(`${pg('psql')} -d postgres -v ON_ERROR_STOP=1 -qc 'CREATE DATABASE restored'`);
    await sh(`${kluis} dump latest shop.sql | ${pg('psql')} -d restored -v ON_ERROR_STOP=1 -q`);
    const digest = (db: string) =>
      sh(
        `${pg('psql')} -d ${db} -Atc "SELECT count(*), md5(string_agg(o::text, ',' ORDER BY id)) FROM orders o; SELECT count(*) FROM big"`,
      ).then((r) => r.stdout);
    const restored = await digest('restored');
    expect(restored).toBe(await digest('shop'));
    expect(restored.split('\n')[0]).toMatch(/^20000\|[0-9a-f]{32}$/);
    // --stdin-from-command runs pg_dump itself, and a pg_dump that fails fails the backup.
    const direct = JSON.parse(
      (
        await sh(
          `${kluis} backup --stdin-from-command --stdin-filename shop.sql --json -- ${pg('pg_dump')} -d shop`,
        )
      ).stdout,
    );
    expect(direct.summary.bytesTotal).toBe(snapshot.summary.bytesTotal);
    const refused = await sh(
      `${kluis} backup --stdin-from-command --stdin-filename shop.sql -- ${pg('pg_dump')} -d no_such_db`,
    ).catch((e: { code: number; stderr: string }) => e);
    expect((refused as { code: number }).code).toBe(1);
    expect((refused as { stderr: string }).stderr).toContain('no_such_db');
    // A second dump of the unchanged database stores little new: only the chunks around the
    // random \restrict lines at its start and end.
    const again = JSON.parse(
      (await sh(`${pg('pg_dump')} -d shop | ${kluis} backup --stdin --stdin-filename shop.sql --json`))
        .stdout,
    );
    expect(again.summary.bytesAdded).toBeLessThan(again.summary.bytesTotal / 4);
  });
});

if (!bin)
  describe('backup --stdin of a PostgreSQL dump', () => {
    it.skip('needs PostgreSQL: install Debian package postgresql as root (apt-get install postgresql)', () => {});
  });
