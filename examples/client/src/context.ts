import { availableParallelism, hostname, userInfo } from 'node:os';
import { decodeConfig, KluisError, openRepository, type Repository } from '@kluis/core';
import { nativeCrypto, nodeCodec, workerBlobDecoder, workerBlobEncoder } from '@kluis/core/node';
import { type EarlyKdf, withEarlyKdf } from './early-kdf';
import { UsageError } from './errors';
import type { Io } from './io';
import type { Options } from './options';
import { readPassword } from './password';
import { isLocalLocation, openTransport } from './repository-url';

/** What every command gets: its parsed options, the I/O, and a way to open the repository. */
export interface Context {
  io: Io;
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  json: boolean;
  /** The repository location from --repo or KLUIS_REPOSITORY. */
  location: string;
  /**
   * Opens the repository once per command: later calls (`forget --prune` runs prune after forget)
   * get the same repository, so the password is asked and its key derived once.
   */
  openRepo(): Promise<Repository>;
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

export const GLOBAL_OPTIONS = {
  repo: {
    type: 'string',
    short: 'r',
    arg: 'R',
    help: 'The repository: a directory, s3:https://host/bucket/prefix or an http(s) URL (default: KLUIS_REPOSITORY).',
  },
  'password-file': {
    type: 'string',
    arg: 'F',
    help: 'Read the repository password from the first line of this file (default: KLUIS_PASSWORD_FILE).',
  },
  json: { type: 'boolean', help: 'Print the result as JSON on standard output.' },
  debug: { type: 'boolean', help: 'Print the stack of an error as well as its message.' },
  help: { type: 'boolean', short: 'h', help: 'Show the help of the command and exit.' },
} as const satisfies Options;

export function createContext(
  io: Io,
  values: Context['values'],
  positionals: string[],
  early?: EarlyKdf,
): Context {
  const location = (values.repo as string | undefined) ?? io.env.KLUIS_REPOSITORY ?? '';
  const json = values.json === true;
  const opened: Repository[] = [];
  let opening: Promise<Repository> | undefined;
  const open = async (): Promise<Repository> => {
    const transport = await openTransport(location, io.env);
    const password = await readPassword(io, values['password-file'] as string | undefined);
    const threads = threadsFrom(io.env);
    const repo = await openRepository(transport, {
      password,
      crypto: withEarlyKdf(nativeCrypto, early),
      codec: nodeCodec,
      ...(threads > 0
        ? { encoder: workerBlobEncoder({ threads }), decoder: workerBlobDecoder({ threads }) }
        : {}),
      // A local disk takes a finished pack in milliseconds: one upload in flight keeps up and
      // holds one 17 MiB pack buffer less (measured: same speed, ~18 MB less peak RSS).
      ...(isLocalLocation(location) ? { packUploads: 1 } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
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
    openRepo() {
      opening ??= open();
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
