import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, projectEngine } from '../_engines.ts';
import { startServer, type TestServer, WEDNESDAY } from '../_server.ts';
import { localIn, run, serve } from './_procs.ts';

const H = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();

describe('announced maintenance over HTTP (fake clock)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
    await s.addAccount('alice');
    await s.addAccount('ops', { role: 'none' });
    await s.app.grants.grant({ account: 'ops', role: 'admin', scope: '*', by: 'test' });
  });
  afterAll(() => s.close());
  const announce = (user: string, body: unknown) =>
    s.fetchAs(user, '/-/desk/announcements', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('refuses less than 12 h notice as planned, records it unplanned when forced, planned with 12 h', async () => {
    s.clock.now = WEDNESDAY; // Wed 25 March 2026 12:00 CET
    const soon = { start: iso(WEDNESDAY + 2 * H), end: iso(WEDNESDAY + 3 * H), reason: 'replace a disk' };
    const refused = await announce('ops', soon);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe(
      'refused as planned maintenance: 2.0 h notice, 12 h are required (force it to record unplanned downtime)',
    );
    expect((await announce('alice', { ...soon, force: true })).status).toBe(403);
    const forced = await announce('ops', { ...soon, force: true });
    expect(forced.status).toBe(201);
    expect(await forced.json()).toMatchObject({
      kind: 'unplanned',
      announcedBy: 'ops',
      reason: 'replace a disk',
    });
    const later = { start: iso(WEDNESDAY + 12 * H), end: iso(WEDNESDAY + 13 * H), reason: 'firmware' };
    expect(await (await announce('ops', later)).json()).toMatchObject({ kind: 'planned' });
    expect((await announce('ops', { ...later, start: 'tomorrow' })).status).toBe(400);
  });

  it('makes the server unavailable during an announcement, saying until when', async () => {
    s.clock.now = WEDNESDAY + 2.5 * H;
    const res = await s.fetchAs('alice', '/alice/r/data/');
    expect(res.status).toBe(503);
    expect(res.headers.get('kluis-error')).toBe('maintenance');
    expect(res.headers.get('kluis-maintenance-until')).toBe(iso(WEDNESDAY + 3 * H));
    expect(res.headers.get('retry-after')).toBe(String(0.5 * 3600));
    s.clock.now = WEDNESDAY + 3 * H;
    expect((await s.fetchAs('alice', '/alice/r/data/')).status).toBe(200);
  });

  it('lists what starts within the asked hours: announcements and the Saturday window', async () => {
    s.clock.now = Date.parse('2026-03-27T12:00:00+01:00'); // Friday noon
    const r = (await (await s.fetchAs('alice', '/-/desk/maintenance?hours=24')).json()) as {
      windows: { start: string; kind: string }[];
    };
    expect(r.windows).toEqual([
      {
        start: '2026-03-28T08:00:00.000Z',
        end: '2026-03-28T16:00:00.000Z',
        reason: 'maintenance window',
        kind: 'maintenance window',
      },
    ]);
    s.clock.now = WEDNESDAY + 11 * H;
    const w = (await (await s.fetchAs('alice', '/-/desk/maintenance?hours=2')).json()) as {
      windows: unknown[];
    };
    expect(w.windows).toEqual([
      { start: iso(WEDNESDAY + 12 * H), end: iso(WEDNESDAY + 13 * H), reason: 'firmware', kind: 'planned' },
    ]);
    expect((await fetch(new URL('/-/desk/maintenance', s.url))).status).toBe(401);
    const page = await fetch(new URL('/-/status', s.url), { redirect: 'manual' });
    expect([page.status, page.headers.get('location')]).toEqual([303, '/-/desk/login?next=%2F-%2Fstatus']);
  });
});

describe('the kluis client and announced maintenance, through real processes', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof serve>>;
  let repo: string;
  const ZONE = 'Europe/Amsterdam';
  // The data directory, and the project's engine: SQLite there, or a fresh PostgreSQL database.
  const data = () => ['--config', join(dir, 'server.json')];
  const client = (args: string[]) =>
    run('client', args, { env: { KLUIS_REPOSITORY: repo, KLUIS_PASSWORD: 'repository secret', TZ: ZONE } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kluis-desk-maint-'));
    const engine = projectEngine();
    const database = engine === 'postgres' ? { database: await freshDatabase(engine, dir) } : {};
    writeFileSync(join(dir, 'server.json'), JSON.stringify({ dataDir: join(dir, 'data'), ...database }));
    const added = await run('server', ['account', 'add', 'alice', ...data(), '--by', 'test'], {
      input: 'alice password 1\n',
    });
    expect(added.code).toBe(0);
    server = await serve(data());
    const u = new URL('/alice/laptop/', server.url);
    u.username = 'alice';
    u.password = 'alice password 1';
    repo = u.toString();
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'a.txt'), 'precious\n');
    expect((await client(['init', '--scrypt-n', '1024'])).code).toBe(0);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const announced = { start: '', end: '' };
  it('kluis-server maintenance announce refuses short notice unless forced', async () => {
    const start = iso(Math.ceil((Date.now() + 3 * H) / 60_000) * 60_000);
    const end = iso(Math.ceil((Date.now() + 4 * H) / 60_000) * 60_000);
    Object.assign(announced, { start, end });
    const args = [
      'maintenance',
      'announce',
      '--start',
      start,
      '--end',
      end,
      '--reason',
      'swap a disk',
      ...data(),
    ];
    const refused = await run('server', args);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(
      /^kluis-server: refused as planned maintenance: 3\.0 h notice, 12 h are required/,
    );
    const forced = await run('server', [...args, '--force', '--by', 'ops-jan']);
    expect(forced.code).toBe(0);
    expect(forced.out).toMatch(/^announcement #1: unplanned downtime .*: swap a disk\n$/);
    const list = await run('server', ['maintenance', 'list', '--days', '1', ...data()]);
    expect(list.out).toContain('unplanned  swap a disk');
  });

  it('kluis backup warns of maintenance starting within 24 h, and still backs up', async () => {
    const r = await client(['backup', join(dir, 'src')]);
    expect(r.code).toBe(0);
    const [, from, until] =
      /^kluis: warning: server maintenance from (.+?) until (.+?) \(swap a disk\): the server refuses backups then\n/.exec(
        r.err,
      ) ?? [];
    expect(from).toBe(localIn(announced.start, ZONE));
    expect(until).toBe(localIn(announced.end, ZONE));
  });

  it('kluis backup during a window says "server in maintenance until <local time>" at once', async () => {
    const end = iso(Math.ceil((Date.now() + H) / 60_000) * 60_000);
    const now = await run('server', [
      'maintenance',
      'announce',
      '--start',
      iso(Date.now() - 1000),
      '--end',
      end,
      '--reason',
      'emergency fix',
      '--force',
      ...data(),
    ]);
    expect(now.code).toBe(0);
    const r = await client(['backup', join(dir, 'src')]);
    expect(r.code).toBe(1);
    const until = localIn(end, ZONE);
    expect(r.err).toContain(`kluis: warning: server in maintenance until ${until} (emergency fix)`);
    expect(r.err).toMatch(
      new RegExp(`\\nkluis: .*server in maintenance until ${until.replace(/[()+]/g, '\\$&')}\\n$`),
    );
    expect(r.ms).toBeLessThan(20_000); // not minutes of silent retries
  });
});
