import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KluisError } from '@kluis/core';
import type { Command } from './cli-admin.ts';
import { configOf } from './cli-io.ts';
import { withFileFlags } from './cli-usage.ts';
import { openDb } from './db.ts';
import { isPostgresUrl } from './sql.ts';

/**
 * `db backup FILE`: a consistent copy of the accounts database while the server runs. SQLite's
 * online backup copies the pages under a read lock taken in steps, so the server keeps answering
 * and the copy is one moment's state (a plain file copy of a WAL database can miss committed
 * transactions or tear). The copy is owner-only, like the database.
 */
const backup: Command = {
  spec: {
    name: 'db backup',
    args: 'FILE',
    summary:
      'Writes a consistent copy of the accounts database to FILE while the server runs (SQLite online backup). ' +
      'FILE must not exist.',
    positionals: { min: 1, max: 1 },
    flags: withFileFlags({}),
  },
  async run({ values: v, positionals: [file = ''] }, io) {
    const config = configOf({ config: v.config as string, data: v.data as string }, io.env);
    if (isPostgresUrl(config.database))
      throw new KluisError(
        'INVALID_CONFIG',
        'the accounts database is PostgreSQL: back it up with pg_dump or continuous archiving',
      );
    const target = resolve(file);
    if (existsSync(target))
      throw new KluisError('ALREADY_EXISTS', `${file} exists: back up to a new file (nothing was written)`);
    if (!existsSync(config.database))
      throw new KluisError('NOT_FOUND', `no accounts database at ${config.database}`);
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    const db = openDb(config.database);
    try {
      await db.backup(target);
    } finally {
      db.close();
    }
    const copy = openDb(target);
    try {
      const ok = copy.pragma('integrity_check', { simple: true });
      if (ok !== 'ok')
        throw new KluisError('INTEGRITY', `the copy in ${file} fails its integrity check: ${ok}`);
      const accounts = copy.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number };
      io.out(`backed up ${config.database} to ${target} (${accounts.n} accounts)\n`);
    } finally {
      copy.close();
    }
  },
};

/** `db backup`: commands on the accounts database itself. */
export const DB_COMMANDS: Record<string, Command> = { backup };
