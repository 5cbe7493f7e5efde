/**
 * @packageDocumentation
 * `@kluis/transport-http`: restic's REST protocol v2, both ends. {@link httpTransport} is a
 * `Transport` over `fetch` (Node, Deno, Bun, browsers); {@link createRestHandler} serves any
 * `Transport` as a web-standard `(Request) => Promise<Response>` handler with hooks for
 * authentication, authorisation, quotas, access logs and maintenance. Node adapters are in
 * `@kluis/transport-http/node`.
 *
 * @module @kluis/transport-http
 */

export { type AccountInfo, fetchAccountInfo } from './account-info';
export type {
  AccessLogEntry,
  Availability,
  Awaitable,
  ObjectType,
  Principal,
  RequestContext,
  RestHooks,
  RestOperation,
  RestStore,
  SizedContext,
  WriteOutcome,
} from './hooks';
export { createRepository, httpTransport } from './http-transport';
export type { HttpTransportOptions } from './http-transport-options';
export { fetchMaintenance, type MaintenanceWindow } from './maintenance-info';
export type { CorsOptions, RestHandler, RestHandlerOptions } from './rest-handler';
export { createRestHandler } from './rest-handler';
export type { RestRequestInfo } from './rest-request-info';
