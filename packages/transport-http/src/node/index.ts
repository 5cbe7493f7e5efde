/**
 * @packageDocumentation
 * `@kluis/transport-http/node`: Node adapters for the web-standard REST handler: mount it on
 * `node:http` / `node:https` ({@link toNodeListener}) or start a server in one call ({@link serveNode}).
 *
 * @module @kluis/transport-http/node
 */
export type { NodeListenerOptions } from './node-listener';
export { toNodeListener } from './node-listener';
export type { NodeServer, ServeNodeOptions } from './serve-node';
export { serveNode } from './serve-node';
