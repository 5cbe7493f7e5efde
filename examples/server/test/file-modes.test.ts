import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../src/db.ts';
import { blob, startServer, type TestServer } from './_server.ts';

let s: TestServer | undefined;

afterEach(async () => {
  await s?.close();
  s = undefined;
});

const mode = (path: string) => statSync(path).mode & 0o777;

describe('the data directory', () => {
  it('is created owner-only: 0700 directories, 0600 database, WAL, shared memory and log', async () => {
    const previous = process.umask(0o022);
    try {
      s = await startServer({ dataDir: 'data' });
      await s.addAccount('alice');
      const b = blob('mode check');
      expect(
        (await s.fetchAs('alice', `/alice/r/data/${b.id}`, { method: 'POST', body: b.bytes })).status,
      ).toBe(200);
      const data = join(s.dir, 'data');
      expect(mode(data).toString(8)).toBe('700');
      expect(mode(join(data, 'storage')).toString(8)).toBe('700');
      for (const f of ['accounts.db', 'accounts.db-wal', 'accounts.db-shm', 'access.log']) {
        expect([f, mode(join(data, f)).toString(8)]).toEqual([f, '600']);
      }
    } finally {
      process.umask(previous);
    }
  });

  it('tightens a database that an older server created readable by all', async () => {
    s = await startServer();
    const dir = join(s.dir, 'old');
    mkdirSync(dir, { mode: 0o755 });
    const file = join(dir, 'accounts.db');
    writeFileSync(file, '', { mode: 0o644 });
    const db = openDb(file);
    db.close();
    expect(mode(file).toString(8)).toBe('600');
  });
});
