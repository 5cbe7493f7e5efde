import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RestHandler } from '../rest-handler';
import { toNodeListener } from './node-listener';

/**
 * Options of {@link serveNode}.
 *
 * @example
 * ```ts
 * const options: ServeNodeOptions = { port: 8000, host: '127.0.0.1' };
 * ```
 */
export interface ServeNodeOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number | undefined;
  /** Interface to listen on. Default `127.0.0.1` (loopback only). */
  host?: string | undefined;
}

/**
 * A running server started by {@link serveNode}.
 *
 * @example
 * ```ts
 * const { url, close } = await serveNode(handler);
 * ```
 */
export interface NodeServer {
  /** Base URL, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  readonly port: number;
  /** The underlying `node:http` server. */
  readonly server: Server;
  /** Stops accepting connections, closes idle and active ones, and resolves when closed. */
  close(): Promise<void>;
}

/**
 * Serves a web-standard handler over plain HTTP with `node:http`: for tests, loopback use, or
 * behind a TLS-terminating proxy. For TLS, mount {@link toNodeListener} on `node:https` instead.
 *
 * @example
 * ```ts
 * import { memoryTransport } from '@kluis/core';
 * import { createRestHandler } from '@kluis/transport-http';
 * import { serveNode } from '@kluis/transport-http/node';
 *
 * const server = await serveNode(createRestHandler(memoryTransport()), { port: 0 });
 * // restic -r rest:${server.url} init
 * await server.close();
 * ```
 */
export async function serveNode(handler: RestHandler, options: ServeNodeOptions = {}): Promise<NodeServer> {
  const server = createServer(toNodeListener(handler));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
