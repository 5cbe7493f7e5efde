import { userInfo } from 'node:os';
import { KluisError } from '@kluis/core';
import { loadConfig, parseConfig, type ServerConfig } from './config.ts';

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Reads a password (a prompt without echo on a terminal, else one line of standard input). */
  readPassword: (prompt: string) => Promise<string>;
  env: Record<string, string | undefined>;
  /** Aborted once standard output's reader has gone (`log tail -f | head`): following stops. */
  outputGone?: AbortSignal;
}

/**
 * Options every subcommand accepts for finding the server's files (`node:util` `parseArgs` form).
 *
 * @example
 * ```ts
 * parseArgs({ args, options: { ...COMMON_OPTIONS, json: { type: 'boolean' } } });
 * ```
 */
export const COMMON_OPTIONS = {
  config: { type: 'string', short: 'c' },
  data: { type: 'string', short: 'd' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The configuration the command applies to: `--config file.json`, else `--data <dir>` (or
 * `KLUIS_SERVER_DATA`) with defaults, else `./kluis-data`.
 *
 * @example
 * ```ts
 * const config = configOf({ data: '/srv/kluis' }, process.env);
 * ```
 */
export function configOf(
  v: { config?: string | undefined; data?: string | undefined },
  env: CliIo['env'],
): ServerConfig {
  if (v.config) return loadConfig(v.config);
  return parseConfig({ dataDir: v.data ?? env.KLUIS_SERVER_DATA ?? 'kluis-data' }, process.cwd());
}

/** The operator recorded as the author of an administrative change: `--by`, else the OS user. */
export function actorOf(by: string | undefined): string {
  if (by) return by;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

const UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  ki: 2 ** 10,
  mi: 2 ** 20,
  gi: 2 ** 30,
  ti: 2 ** 40,
};

/**
 * Parses a size: bytes (`1048576`), decimal units (`500M`, `10GB` = 10⁹) or binary units
 * (`10GiB` = 2³⁰·10).
 *
 * @example
 * ```ts
 * parseSize('10GiB'); // 10737418240
 * ```
 */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?)?b?$/i.exec(s.trim());
  const unit = UNITS[(m?.[2] ?? '').toLowerCase()];
  const n = m && unit !== undefined ? Math.round(Number(m[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw new KluisError('INVALID_CONFIG', `invalid size ${JSON.stringify(s)}: try 500MB or 10GiB`);
  return n;
}

/**
 * Parses an expiry: an ISO 8601 time, or a duration from `now` (`90m`, `12h`, `30d`, `8w`).
 *
 * @example
 * ```ts
 * parseExpiry('30d', Date.now());
 * ```
 */
export function parseExpiry(s: string, now: number): number {
  const d = /^(\d+)([mhdw])$/.exec(s.trim());
  if (d) return now + Number(d[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[d[2] as 'm']!;
  const t = Date.parse(s);
  if (Number.isNaN(t) || !/\d{4}-\d{2}-\d{2}/.test(s)) {
    throw new KluisError(
      'INVALID_CONFIG',
      `invalid expiry ${JSON.stringify(s)}: an ISO time or 90m, 12h, 30d, 8w`,
    );
  }
  return t;
}

/**
 * Bytes for people.
 *
 * @example
 * ```ts
 * formatBytes(1536); // '1.5 KiB'
 * ```
 */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
