import { keyedMutex } from './_body';
import { type HandlerConfig, serve } from './_pipeline';
import { normaliseBasePath } from './_route';
import type { Principal, RestHooks, RestStore } from './hooks';

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
}

/**
 * What a server adapter knows about a request beyond the `Request` object. `serveNode` and
 * `toNodeListener` fill it; Deno's `info.remoteAddr` is understood as well.
 *
 * @example
 * ```ts
 * await handler(request, { clientAddress: '192.0.2.7', rawTarget: '/alice/data/' });
 * ```
 */
export interface RestRequestInfo {
  /** The peer's IP address. */
  clientAddress?: string | undefined;
  /**
   * The request target exactly as received, before URL normalisation (which silently resolves
   * `..`, `%2e%2e` and `\`). When given, the handler validates it instead of `request.url`, so such
   * paths are refused with 400 rather than quietly rewritten.
   */
  rawTarget?: string | undefined;
  /** Deno's connection info. */
  remoteAddr?: { hostname?: string | undefined } | undefined;
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
 * Serves a {@link @kluis/core!Transport | Transport} (or one per repository, through a factory)
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
    serialise: keyedMutex(),
  };
  return (request, info) => serve(config, request, info);
}
