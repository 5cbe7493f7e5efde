import type { ErrorCode } from '@kluis/core';

/** A wrong command line: printed with a hint, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Exit codes of the kluis CLI (documented in docs/cli.md). */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  auth: 3,
  /** check found problems, or a backup skipped files it could not read. */
  incomplete: 4,
  interrupted: 130,
} as const;

const opening = new WeakSet<object>();

/** Marks an error as raised while opening the repository (a `NOT_FOUND` then means there is none). */
export function raisedOpening(e: unknown): unknown {
  if (typeof e === 'object' && e !== null) opening.add(e);
  return e;
}

/**
 * What to do next, after the message of a library error: the library says what is wrong, the
 * CLI says which of its commands helps, chosen by the error's stable `code` (and, for a damaged
 * snapshot file, its `key`). Empty when no command helps.
 */
export function hintFor(e: unknown, command: string): string {
  if (!isKluisError(e)) return '';
  switch (e.code) {
    case 'QUOTA':
      return '; free space with kluis forget --prune, or ask for a larger quota';
    case 'WRONG_PASSWORD':
      return ' (kluis key list, with a password that opens, shows the key slots)';
    case 'NOT_FOUND':
      if (opening.has(e)) return command === 'init' ? '' : ' (kluis init creates one)';
      return ' (kluis snapshots lists the snapshots; kluis check finds missing data)';
    case 'INTEGRITY': {
      const key = (e as { key?: unknown }).key;
      if (typeof key === 'string' && key.startsWith('snapshots/'))
        return `; remove it with kluis forget ${key.slice('snapshots/'.length)}`;
      return command === 'check' ? '' : ' (kluis check --read-data finds all damage)';
    }
    case 'INVALID_DATA':
      return command === 'check' ? '' : ' (kluis check finds all damage)';
    default:
      return '';
  }
}

/**
 * `KluisError.is(e, ...codes)` without loading `@kluis/core` (a usage error or `--help` needs
 * none of it): a kluis error carries the registered symbol `kluis.error`, as core's own test
 * reads it (packages/core/src/errors.ts).
 */
export function isKluisError(e: unknown, ...codes: ErrorCode[]): e is Error & { code: ErrorCode } {
  if (typeof e !== 'object' || e === null || (e as Record<symbol, unknown>)[KLUIS_ERROR] !== true)
    return false;
  return codes.length === 0 || codes.includes((e as { code: ErrorCode }).code);
}
const KLUIS_ERROR = Symbol.for('kluis.error');

/** Maps an error to its exit code. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof UsageError) return EXIT.usage;
  if (isKluisError(e, 'WRONG_PASSWORD', 'AUTH')) return EXIT.auth;
  if (isKluisError(e, 'ABORTED')) return EXIT.interrupted;
  return EXIT.error;
}
