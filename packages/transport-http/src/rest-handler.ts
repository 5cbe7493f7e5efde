import { keyedMutex } from './_body';
import { resolveCors } from './_cors';
import type { HandlerConfig } from './_exchange';
import { serve } from './_pipeline';
import { normaliseBasePath } from './_route';
import type { Principal, RestHooks, RestStore } from './hooks';
import type { RestRequestInfo } from './rest-request-info';

/**
 * Options of {@link createRestHandler}.
 *
 * @example
 * ```ts
 * const options: RestHandlerOptions = { basePath: '/repos/', maxUploadBytes: 64 * 2 ** 20 };
 * ```
 */
export interface RestHandlerOptions {
  /** Largest upload accepted, in bytes (413 above). Default 128 MiB, restic's largest pack size. */
  maxUploadBytes?: number | undefined;
  /** URL path under which the repositories live. Default `/`. */
  basePath?: string | undefined;
  /**
   * Check that every uploaded `data`, `index`, `snapshots` and `locks` object is named by the
   * SHA-256 of its bytes (400 otherwise). Default true; `config` and `keys` are never checked.
   */
  verifyUploads?: boolean | undefined;
  /** Serve `DELETE {repo}/` by deleting every object of the repository. Default false (501). */
  deleteRepository?: boolean | undefined;
  /** Derives the client address (e.g. from `X-Forwarded-For` behind a trusted proxy). */
  clientAddress?: ((request: Request, info: RestRequestInfo | undefined) => string | undefined) | undefined;
  /** Realm announced in `WWW-Authenticate`. Default `kluis`. */
  realm?: string | undefined;
  /**
   * Lets pages on other origins call the handler from a browser (cross-origin resource sharing).
   * Off by default: without it `OPTIONS` is answered 405 and responses carry no CORS headers.
   */
  cors?: CorsOptions | undefined;
}

/**
 * Cross-origin access for browsers ({@link RestHandlerOptions.cors}). Preflight requests
 * (`OPTIONS` with `Access-Control-Request-Method`) are answered before availability and
 * authentication: 204 with the allowed methods and headers for an allowed origin, 403 for any
 * other. Every other response carries `Access-Control-Allow-Origin` (the request's origin) and
 * `Access-Control-Expose-Headers` only when the request's `Origin` is allowed, and always
 * `Vary: Origin`. Credentials travel in the `Authorization` header, never in cookies, so
 * `Access-Control-Allow-Credentials` is not sent. CORS does not replace authentication: it only
 * lets a browser show an allowed page the answers the server gives anyway.
 */
export interface CorsOptions {
  /**
   * Origins allowed, exactly as browsers send them: `https://app.example.org`,
   * `http://localhost:5173` (scheme, host and port; no path). `"*"` allows every origin.
   */
  origins: readonly string[];
  /** Methods announced to preflights. Default `GET, HEAD, POST, DELETE` (all the protocol uses). */
  methods?: readonly string[] | undefined;
  /**
   * Request headers allowed besides those `httpTransport` sends (`Authorization`, `Accept`,
   * `Content-Type`, `Range`, which are always allowed): add the ones you pass in its `headers`.
   */
  headers?: readonly string[] | undefined;
  /** How long browsers may cache a preflight answer, in seconds. Default 600. */
  maxAgeSeconds?: number | undefined;
}

/**
 * A web-standard request handler.
 *
 * @example
 * ```ts
 * const handler: RestHandler = createRestHandler(memoryTransport());
 * const res = await handler(new Request('http://localhost/config', { method: 'HEAD' }));
 * ```
 */
export type RestHandler = (request: Request, info?: RestRequestInfo) => Promise<Response>;

/**
 * Serves a {@link @kluis/core!"@kluis/core".Transport | Transport} (or one per repository, through a factory)
 * over restic's REST protocol v2, as a web-standard `(Request) => Promise<Response>` handler that
 * runs in Node (see `@kluis/transport-http/node`), Deno, Bun and service workers.
 *
 * Per request: the path is parsed strictly (400 for anything else, before any hook or store call),
 * then availability (503), authentication (401), authorisation (403), and only then the store.
 * Uploads need `Content-Length` (411), are bounded by `maxUploadBytes` (413), are read into a
 * buffer that grows with the bytes received (a client that declares a large body and stalls holds
 * little memory), are refused when the object exists (403 with `Kluis-Error:
 * already-exists`; restic's rest-server answers 403 too), and for hash-named types must hash to
 * their name (400). A failed, short or refused upload stores nothing.
 *
 * @example
 * ```ts
 * import { memoryTransport } from '@kluis/core';
 * import { createRestHandler } from '@kluis/transport-http';
 *
 * const handler = createRestHandler(memoryTransport(), {
 *   authorize: (ctx) => ctx.operation !== 'delete' || ctx.type === 'locks', // append-only
 * });
 * export default { fetch: handler }; // Deno / Bun
 *
 * // A page on https://app.example.org may call it from a browser:
 * const forBrowsers = createRestHandler(memoryTransport(), {}, {
 *   cors: { origins: ['https://app.example.org'] },
 * });
 * ```
 */
export function createRestHandler<P extends Principal = Principal>(
  store: RestStore<P>,
  hooks: RestHooks<P> = {},
  options: RestHandlerOptions = {},
): RestHandler {
  const maxUploadBytes = options.maxUploadBytes ?? 128 * 2 ** 20;
  if (!Number.isSafeInteger(maxUploadBytes) || maxUploadBytes < 0) {
    throw new RangeError(`maxUploadBytes must be a non-negative integer, got ${maxUploadBytes}`);
  }
  const config: HandlerConfig<P> = {
    store: typeof store === 'function' ? store : () => store,
    hooks,
    maxUploadBytes,
    basePath: normaliseBasePath(options.basePath),
    verifyUploads: options.verifyUploads ?? true,
    deleteRepository: options.deleteRepository ?? false,
    clientAddress: options.clientAddress,
    realm: options.realm ?? 'kluis',
    cors: options.cors === undefined ? undefined : resolveCors(options.cors),
    serialise: keyedMutex(),
  };
  return (request, info) => serve(config, request, info);
}
