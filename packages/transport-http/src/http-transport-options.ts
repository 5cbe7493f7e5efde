import type { RetryOptions } from '@kluis/core';

/**
 * Options of {@link httpTransport} and {@link createRepository}.
 *
 * @example
 * ```ts
 * const options: HttpTransportOptions = {
 *   url: 'https://backup.example.org/alice/',
 *   auth: { username: 'alice', password: 'correct horse' },
 *   timeoutMs: 60_000,
 * };
 * ```
 */
export interface HttpTransportOptions {
  /** The repository URL (restic's `{path}`); credentials in it (`https://user:pw@host/`) are used as Basic auth. */
  url: string | URL;
  /** Basic credentials or a bearer token. */
  auth?: { username: string; password: string } | { token: string } | undefined;
  /** The `fetch` to use (a proxy agent, a test double). Default `globalThis.fetch`. */
  fetch?: typeof fetch | undefined;
  /** Per request, including its body, in ms. Default 120 000. A timeout is `TIMEOUT` (retryable). */
  timeoutMs?: number | undefined;
  /** Retry policy for `withRetry` from `@kluis/core`, or `false` for none. `Retry-After` is honoured. */
  retry?: RetryOptions | false | undefined;
  /** Longest `Retry-After` honoured, in ms. Default 60 000. */
  maxRetryAfterMs?: number | undefined;
  /** Extra headers on every request. */
  headers?: Record<string, string> | undefined;
  /** `capabilities.maxConcurrency`. Default 8. */
  maxConcurrency?: number | undefined;
  /**
   * `capabilities.conditionalPut`. Default `'auto'`: true once the server has said (header
   * `Kluis-Create-Only: atomic`, sent by `createRestHandler` over an atomic store) that uploads are
   * atomically create-only. Wrappers that copy capabilities (`withLimit`) see the value of the moment.
   */
  conditionalPut?: boolean | 'auto' | undefined;
}
