import { availableParallelism, homedir, hostname, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { KluisError, openRepository, type Repository, type Transport, withCache } from '@kluis/core';
import { decodeConfig } from '@kluis/core/format';
import { fileCacheStore, nodeRepositoryOptions } from '@kluis/core/node';
import { type EarlyKdf, withEarlyKdf } from './early-kdf';
import { raisedOpening, UsageError } from './errors';
import type { Io } from './io';
import { readPassword } from './password';
import { isLocalLocation, openTransport } from './repository-url';

/** What every command gets: its parsed options, the I/O, and a way to open the repository. */
/** How {@link Context.openRepo} opens: through the local cache (default) and with a wrapper. */
export interface OpenRepoOptions {
  /** false: read the repository itself, not the local cache (check). */
  cache?: boolean;
  /** Wraps the transport last (backup --dry-run drops writes). */
  wrap?: (t: Transport) => Transport;
}

export interface Context {
  io: Io;
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  json: boolean;
  /** The repository location from --repo or KLUIS_REPOSITORY. */
  location: string;
  /** `-q`: no progress bars and no summaries, only errors and what was asked for. */
  quiet: boolean;
  /** How many `-v` were given: more detail (backup lists each file). */
  verbose: number;
  /**
   * Opens the repository once per command: later calls (`forget --prune` runs prune after forget)
   * get the same repository, so the password is asked and its key derived once. Reads go through
   * the local cache unless `--no-cache` was given or `cache` is false (check reads the repository
   * itself, not a copy).
   */
  openRepo(options?: OpenRepoOptions): Promise<Repository>;
  /**
   * The repository's ID from its plaintext `config`, read without a password (so a command can
   * decide what to do before asking for one). Not yet authenticated: compare it with
   * `(await openRepo()).config.id` before trusting what it selected.
   */
  repositoryId(): Promise<string>;
  /** Releases what openRepo started (worker threads). */
  dispose(): Promise<void>;
  print(line: string): void;
  printJson(value: unknown): void;
}

export { GLOBAL_OPTIONS } from './global-options';

export function createContext(
  io: Io,
  values: Context['values'],
  positionals: string[],
  early?: EarlyKdf,
): Context {
  io = withGlobalFlags(io, values);
  const location = (values.repo as string | undefined) ?? io.env.KLUIS_REPOSITORY ?? '';
  const json = values.json === true;
  const opened: Repository[] = [];
  let opening: Promise<Repository> | undefined;
  const open = async (options: OpenRepoOptions): Promise<Repository> => {
    const plain = await openTransport(location, io.env);
    const cached =
      options.cache !== false && values['no-cache'] !== true
        ? await withLocalCache(plain, io.env, io.signal)
        : plain;
    const transport = options.wrap ? options.wrap(cached) : cached;
    const password = await readPassword(io, values['password-file'] as string | undefined);
    const preset = nodeRepositoryOptions({
      threads: threadsFrom(io.env),
      wholeFiles: io.env.KLUIS_WHOLE_FILES === '1',
    });
    const repo = await openRepository(transport, {
      password,
      ...preset,
      crypto: withEarlyKdf(preset.crypto, early),
      // A local disk takes a finished pack in milliseconds: one upload in flight keeps up and
      // holds one 17 MiB pack buffer less (measured: same speed, ~18 MB less peak RSS).
      ...(isLocalLocation(location) ? { packUploads: 1 } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
    }).catch((e: unknown) => {
      throw raisedOpening(e);
    });
    opened.push(repo);
    return repo;
  };
  return {
    io,
    values,
    positionals,
    json,
    location,
    quiet: values.quiet === true,
    verbose: (values.verbose as boolean[] | undefined)?.length ?? 0,
    openRepo(options) {
      opening ??= open(options ?? {});
      return opening;
    },
    async repositoryId() {
      const transport = await openTransport(location, io.env);
      try {
        return decodeConfig(await transport.get('config', io.signal ? { signal: io.signal } : {})).id;
      } catch (e) {
        if (!KluisError.is(e, 'NOT_FOUND')) throw e;
        throw new KluisError('NOT_FOUND', `no repository at ${location} (kluis init creates one)`, {
          cause: e,
        });
      }
    },
    async dispose() {
      await Promise.all(opened.map((r) => r.close()));
    },
    print(line) {
      if (!json) io.stdout(`${line}\n`);
    },
    printJson(value) {
      io.stdout(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
}

/**
 * `--password-command` stands for KLUIS_PASSWORD_COMMAND and, being a flag, wins over the password
 * variables of the environment; `-q` turns progress bars off.
 */
function withGlobalFlags(io: Io, values: Context['values']): Io {
  const command = values['password-command'] as string | undefined;
  if (command !== undefined && values['password-file'] !== undefined)
    throw new UsageError('give --password-file or --password-command, not both');
  if (values.quiet === true && (values.verbose as boolean[] | undefined)?.length)
    throw new UsageError('give -q (quiet) or -v (verbose), not both');
  let out = io;
  if (command !== undefined) {
    if (command.trim() === '') throw new UsageError('--password-command needs a command');
    const { KLUIS_PASSWORD: _, KLUIS_PASSWORD_FILE: __, ...env } = io.env;
    out = { ...out, env: { ...env, KLUIS_PASSWORD_COMMAND: command } };
  }
  return values.quiet === true ? { ...out, tty: false } : out;
}

/**
 * `transport` reading through the local cache of its repository (`<cache root>/<repository id>/`,
 * see {@link cacheRoot}). The repository's ID comes from its plaintext `config`, read here once and
 * handed to the opening repository from memory; it needs no trust, as every entry is checked
 * against its content hash. Without a readable config (no repository there), no cache: opening
 * reports the problem as before.
 */
async function withLocalCache(
  transport: Transport,
  env: Record<string, string | undefined>,
  signal: AbortSignal | undefined,
): Promise<Transport> {
  const maxBytes = cacheMaxBytesFrom(env);
  let config: Uint8Array | undefined;
  let id: string;
  try {
    config = await transport.get('config', signal ? { signal } : {});
    id = decodeConfig(config).id;
  } catch {
    return transport;
  }
  const cached = withCache(transport, fileCacheStore({ dir: join(cacheRoot(env), id), maxBytes }));
  return {
    ...cached,
    get: (key, o) => {
      if (key !== 'config' || !config || o?.range) return cached.get(key, o);
      const bytes = config;
      config = undefined; // once: a later read (a key change, a lock check) asks the storage
      return Promise.resolve(bytes);
    },
  };
}

/** The cache's root: KLUIS_CACHE_DIR, else `$XDG_CACHE_HOME/kluis`, else `~/.cache/kluis`. */
export function cacheRoot(env: Record<string, string | undefined>): string {
  if (env.KLUIS_CACHE_DIR) return resolve(env.KLUIS_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return join(resolve(env.XDG_CACHE_HOME), 'kluis');
  return join(homedir(), '.cache', 'kluis');
}

/** The cache's bound per repository from KLUIS_CACHE_MAX_MIB (default 1024 MiB). */
export function cacheMaxBytesFrom(env: Record<string, string | undefined>): number {
  const raw = env.KLUIS_CACHE_MAX_MIB;
  if (raw === undefined || raw === '') return 1 << 30;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 1 << 20)
    throw new UsageError('KLUIS_CACHE_MAX_MIB needs a whole number of MiB from 0 to 1048576');
  return n * (1 << 20);
}

/** Encoder threads from KLUIS_THREADS (0 = compress and encrypt on the main thread); default: every core. */
export function threadsFrom(env: Record<string, string | undefined>): number {
  if (env.KLUIS_THREADS === undefined || env.KLUIS_THREADS === '') return availableParallelism();
  const n = Number(env.KLUIS_THREADS);
  if (!Number.isInteger(n) || n < 0 || n > 256)
    throw new UsageError('KLUIS_THREADS needs a whole number from 0 to 256');
  return n;
}

/**
 * scrypt parameters from `--scrypt-n` (a power of two ≥ 1024): lower for throw-away repositories and
 * tests, higher for more resistance to password guessing. Default: calibrated to ~0.5 s.
 */
export function scryptFrom(values: Context['values']): { N: number; r: number; p: number } | undefined {
  const raw = values['scrypt-n'];
  if (raw === undefined) return undefined;
  const N = Number(raw);
  if (!Number.isInteger(N) || N < 1024 || (N & (N - 1)) !== 0)
    throw new UsageError('--scrypt-n needs a power of two ≥ 1024');
  return { N, r: 8, p: 1 };
}

export const defaultHost = (): string => hostname();
export const defaultUser = (): string => {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
};
