// What the page tells the reader when something fails: one sentence that says what happened and
// what to do. Pure (tested in Node): the caller passes what it learnt from the server's health.
import { KluisError } from '@kluis/core';

/** What `/-/health` said while a request was refused as unavailable. */
export interface HealthHint {
  /** A maintenance window in progress and its end (ISO 8601), if any. */
  maintenance?: { name: string; end: string } | undefined;
  /** True when the server could not be reached at all. */
  unreachable?: boolean;
}

/** How the page shows an error: the message, and whether a retry may help (the Resume button). */
export interface Explained {
  message: string;
  retryable: boolean;
}

/** Turns any error of a page action into {@link Explained}. */
export function explain(error: unknown, hint: HealthHint = {}): Explained {
  if (!KluisError.is(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return { message: `Something went wrong: ${message}`, retryable: false };
  }
  const e = error;
  switch (e.code) {
    case 'WRONG_PASSWORD':
      return {
        message: 'Wrong repository password: no key of this repository opens with it.',
        retryable: false,
      };
    case 'AUTH':
      return {
        message: 'The server did not accept this account and password for this repository.',
        retryable: false,
      };
    case 'INTEGRITY':
      return {
        message: `Damaged data: a stored block failed authentication, so nothing of it was saved (${e.message}). Run kluis check --read-data on this repository.`,
        retryable: false,
      };
    case 'NOT_FOUND':
      return { message: `Not found: ${e.message}. Check the repository path.`, retryable: false };
    case 'ABORTED':
      return { message: 'Cancelled.', retryable: false };
    case 'UNAVAILABLE':
    case 'TIMEOUT':
      return unavailable(e, hint);
    default:
      return { message: e.message, retryable: e.retryable };
  }
}

function unavailable(e: KluisError, hint: HealthHint): Explained {
  if (hint.maintenance) {
    const end = hint.maintenance.end ? new Date(hint.maintenance.end).toLocaleString() : 'later';
    return {
      message: `The server is in maintenance (${hint.maintenance.name}) until ${end}. Try again then.`,
      retryable: true,
    };
  }
  if (hint.unreachable) {
    return {
      message: 'The connection to the server was lost. Check the network, then resume.',
      retryable: true,
    };
  }
  return { message: `The server is unavailable for now (${e.message}). Try again later.`, retryable: true };
}
