import type { Transport } from '@kluis/core';
import type { CorsConfig } from './_cors';
import type { Awaitable, Principal, RequestContext, RestHooks } from './hooks';
import type { RestRequestInfo } from './rest-request-info';

// The handler's settings and one request's state, shared by the pipeline and the operations it
// dispatches to, so that neither imports the other for its types.

/** Resolved settings of one handler. */
export interface HandlerConfig<P extends Principal> {
  store: (repo: string, ctx: { principal: P | undefined; request: Request }) => Awaitable<Transport>;
  hooks: RestHooks<P>;
  maxUploadBytes: number;
  basePath: string;
  verifyUploads: boolean;
  deleteRepository: boolean;
  clientAddress: ((request: Request, info: RestRequestInfo | undefined) => string | undefined) | undefined;
  realm: string;
  cors: CorsConfig | undefined;
  serialise: <T>(name: string, task: () => Promise<T>) => Promise<T>;
}

/** The state of one request as it moves through the pipeline, for the access log. */
export interface Exchange<P extends Principal> {
  readonly config: HandlerConfig<P>;
  readonly request: Request;
  readonly path: string;
  readonly clientAddress: string | undefined;
  ctx?: RequestContext<P>;
  bytesIn: number;
  bytesOut: number;
}
