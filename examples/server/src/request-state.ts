import { AsyncLocalStorage } from 'node:async_hooks';
import type { Reservation } from './quota.ts';

/** What the server learns about one request as it passes the REST handler's hooks. */
export interface RequestState {
  /** The client's address (from the socket). */
  readonly address: string;
  /** Why authentication failed, when it did. */
  loginFailure?: string | undefined;
  /** The login name tried, when authentication failed. */
  triedUser?: string | undefined;
  /** The request was refused because of a lockout. */
  lockedOut?: boolean | undefined;
  /** The grant that allowed the request. */
  grant?: number | undefined;
  /** The quota reservation of an upload in progress. */
  reservation?: Reservation | undefined;
}

/**
 * The state of the request being handled, carried through the REST handler's hooks (some of which,
 * like `onAccess`, do not receive the `Request`) by Node's async context.
 *
 * @example
 * ```ts
 * requestState.run({ address: '127.0.0.1' }, () => handler(request));
 * ```
 */
export const requestState = new AsyncLocalStorage<RequestState>();

/** The current request's state; a fresh empty one outside a request (never expected). */
export function currentRequest(): RequestState {
  return requestState.getStore() ?? { address: 'unknown' };
}
