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
