import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const run = promisify(execFile);
const scripts = fileURLToPath(new URL('../../../scripts/postgres/', import.meta.url));

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL of the test PostgreSQL cluster (its `postgres` database). */
    postgres: string;
  }
}

/**
 * Starts a throwaway PostgreSQL cluster on 127.0.0.1 once per test run with
 * scripts/postgres/start-postgres.sh (installing Debian's postgresql on a fresh machine), unless
 * KLUIS_PG_URL names a running one; hands its URL to the tests, and stops it afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.KLUIS_PG_URL) {
    project.provide('postgres', process.env.KLUIS_PG_URL);
    return async () => {};
  }
  const { stdout } = await run('bash', [`${scripts}start-postgres.sh`], {
    env: { ...process.env, KLUIS_PG_OWNER_PID: String(process.pid) },
  }).catch((e: { stderr?: string; message: string }) => {
    throw new Error(`could not start PostgreSQL for the server tests:\n${e.stderr ?? e.message}`);
  });
  const value = (name: string) => {
    const m = new RegExp(`^export ${name}=(.*)$`, 'm').exec(stdout);
    if (!m?.[1]) throw new Error(`start-postgres.sh printed no ${name}`);
    return m[1];
  };
  project.provide('postgres', value('KLUIS_PG_URL'));
  return async () => {
    await run('bash', [`${scripts}stop-postgres.sh`, value('KLUIS_PG_DIR')]);
  };
}
