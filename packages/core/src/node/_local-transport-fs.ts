import { join } from 'node:path';
import { type ErrorCode, KluisError } from '../errors';

/**
 * Temporary files start with this name. Keys never have a segment starting with `.` (see
 * `assertKey`), so a temporary file can never be mistaken for an object.
 */
export const TEMP_PREFIX = '.kluis-tmp-';

/** Objects under `data/` are stored one directory deeper, named by the first two characters. */
const SHARDED = 'data';

/**
 * Maps a (validated) key to its path under `root`: `data/<id>` is stored as `data/<id[0..2]>/<id>`,
 * everything else as is. The mapping is one-to-one, and {@link keyOf} inverts it.
 */
export function pathOf(root: string, key: string): string {
  return join(root, ...diskSegments(key.split('/')));
}

/** The on-disk segments of key segments (a key or the directory part of a prefix). */
export function diskSegments(segments: readonly string[]): string[] {
  const [first, second, ...rest] = segments;
  if (first !== SHARDED || second === undefined) return [...segments];
  return [first, second.slice(0, 2), second, ...rest];
}

/** The key of a file at `segments` (relative to root), or `undefined` if no key maps there. */
export function keyOf(segments: readonly string[]): string | undefined {
  const [first, shard, second, ...rest] = segments;
  if (first !== SHARDED) return segments.join('/');
  if (shard === undefined || second === undefined || second.slice(0, 2) !== shard) return undefined;
  return [first, second, ...rest].join('/');
}

/**
 * Whether the shard directory `shard` under `data/` may hold keys starting with `data/<rest>`.
 * Lets a listing of `data/ab` skip the other 255 shards.
 */
export function shardMatches(shard: string, rest: string): boolean {
  return shard.startsWith(rest.slice(0, 2));
}

const CODES: Record<string, ErrorCode> = {
  ENOENT: 'NOT_FOUND',
  ENOTDIR: 'NOT_FOUND',
  EEXIST: 'ALREADY_EXISTS',
  ENOTEMPTY: 'ALREADY_EXISTS',
  EISDIR: 'ALREADY_EXISTS',
  ENOSPC: 'QUOTA',
  EDQUOT: 'QUOTA',
  EFBIG: 'QUOTA',
  EACCES: 'AUTH',
  EPERM: 'AUTH',
  EROFS: 'AUTH',
  EIO: 'UNAVAILABLE',
  EAGAIN: 'UNAVAILABLE',
  EBUSY: 'UNAVAILABLE',
  EMFILE: 'UNAVAILABLE',
  ENFILE: 'UNAVAILABLE',
  ENOMEM: 'UNAVAILABLE',
  ETIMEDOUT: 'UNAVAILABLE',
  ESTALE: 'UNAVAILABLE',
  EINTR: 'UNAVAILABLE',
};

/** The system error code (`ENOENT`, …) of `e`, if it has one. */
export function errno(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns a file-system error into a {@link KluisError} with a stable code: `ENOENT` → `NOT_FOUND`,
 * `EEXIST` → `ALREADY_EXISTS`, `ENOSPC`/`EDQUOT` → `QUOTA`, `EACCES`/`EPERM`/`EROFS` → `AUTH`,
 * transient conditions (`EIO`, `EAGAIN`, `EMFILE`, …) → retryable `UNAVAILABLE`. Anything unknown
 * becomes a non-retryable `UNAVAILABLE`. KluisErrors pass through unchanged.
 */
export function fsError(e: unknown, what: string): KluisError {
  if (KluisError.is(e)) return e;
  const code = errno(e);
  if ((e as { name?: unknown } | null)?.name === 'AbortError') {
    return new KluisError('ABORTED', `${what}: aborted`, { cause: e });
  }
  const mapped = code === undefined ? undefined : CODES[code];
  const detail = e instanceof Error ? e.message : String(e);
  if (mapped === undefined) {
    return new KluisError('UNAVAILABLE', `${what}: ${detail}`, { cause: e, retryable: false });
  }
  return new KluisError(mapped, `${what}: ${detail}`, { cause: e });
}
