import { KluisError } from '@kluis/core';

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

/** Maps an error to its exit code. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof UsageError) return EXIT.usage;
  if (KluisError.is(e, 'WRONG_PASSWORD', 'AUTH')) return EXIT.auth;
  if (KluisError.is(e, 'ABORTED')) return EXIT.interrupted;
  return EXIT.error;
}
