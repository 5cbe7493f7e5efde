import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';

/** The database engines the server runs on; store-level tests run on each. */
export const ENGINES = ['sqlite', 'postgres'] as const;
export type Engine = (typeof ENGINES)[number];

/** The engine of this test project: `KLUIS_TEST_ENGINE` (the PostgreSQL project sets it), else SQLite. */
export function projectEngine(): Engine {
  return process.env.KLUIS_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
}

/**
 * A new, empty accounts database of `engine`: a file in `dir` for SQLite, a fresh database in the
 * test cluster for PostgreSQL (its URL).
 */
export async function freshDatabase(engine: Engine, dir: string): Promise<string> {
  if (engine === 'sqlite') return join(dir, `accounts-${randomBytes(4).toString('hex')}.db`);
  const admin = inject('postgres');
  const name = `kluis_t_${randomBytes(8).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}
