import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EarlyKdf } from '../src/early-kdf.ts';
import type { Io } from '../src/io.ts';
import { main } from '../src/main.ts';

/** Settings (`kluis config`) of tests that set no XDG_CONFIG_HOME: never the user's own. */
const settingsHome = join(tmpdir(), `kluis-test-settings-${process.pid}`);
/** The local cache of tests that set no KLUIS_CACHE_DIR: never the user's own. */
const cacheHome = join(tmpdir(), `kluis-test-cache-${process.pid}`);

/** Runs the kluis CLI in-process with the given environment; returns its exit code and output. */
export async function runKluis(
  args: string[],
  env: Record<string, string>,
  early?: EarlyKdf,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = {
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      err += s;
    },
    tty: false,
    env: { KLUIS_THREADS: '0', XDG_CONFIG_HOME: settingsHome, KLUIS_CACHE_DIR: cacheHome, ...env },
  };
  return { code: await main(args, io, { early }), out, err };
}
