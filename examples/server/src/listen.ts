import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { KluisError } from '@kluis/core';
import { toNodeListener } from '@kluis/transport-http/node';
import type { App } from './app.ts';
import type { ServerConfig } from './config.ts';

/** A server listening on its socket. */
export interface Listening {
  /** Base URL, e.g. `https://127.0.0.1:8443/`. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops accepting requests, closes connections, and resolves when the socket is closed. */
  close(): Promise<void>;
}

/**
 * True for addresses that only this machine can reach: `127.0.0.0/8`, `::1`, `localhost`.
 *
 * @example
 * ```ts
 * isLoopback('127.0.0.1'); // true
 * isLoopback('0.0.0.0'); // false
 * ```
 */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Starts serving `app` on `config.host`/`config.port`: HTTPS when `config.tls` names a certificate
 * and key (PEM files), plain HTTP otherwise — which is refused on any non-loopback address unless
 * `config.insecureHttp` is set (e.g. behind a TLS-terminating proxy on a private network).
 * `config.limits` bounds connections per address and in total, and the time to send a request
 * head and a whole request.
 *
 * @example
 * ```ts
 * const { url, close } = await listen(app, config);
 * ```
 */
export async function listen(app: App, config: ServerConfig): Promise<Listening> {
  if (!config.tls && !isLoopback(config.host) && !config.insecureHttp) {
    throw new KluisError(
      'INVALID_CONFIG',
      `refusing plain HTTP on ${config.host}: passwords would cross the network in clear. ` +
        'Configure tls.cert and tls.key, listen on 127.0.0.1, or pass --insecure-http',
    );
  }
  const listener = toNodeListener(app.handler);
  const l = config.limits;
  const options = {
    headersTimeout: l.headersTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    // How often Node looks for requests past those timeouts (its default, 30 s, would let a slow
    // head live up to 30 s past its timeout).
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(l.headersTimeoutMs / 4))),
  };
  const server: Server = config.tls
    ? createHttpsServer(
        {
          ...options,
          handshakeTimeout: l.headersTimeoutMs,
          cert: readFileSync(config.tls.cert),
          key: readFileSync(config.tls.key),
        },
        listener,
      )
    : createHttpServer(options, listener);
  server.maxConnections = l.maxConnections;
  limitPerAddress(server, l.connectionsPerAddress);
  closeSilent(server, l.headersTimeoutMs);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;
  return {
    url: `${config.tls ? 'https' : 'http'}://${host}:${port}/`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * Closes a new connection at once when its address already has `max` open, so one client cannot
 * hold the server's sockets. Counted on the raw TCP socket, before TLS or HTTP.
 */
function limitPerAddress(server: Server, max: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const n = open.get(address) ?? 0;
    if (n >= max) {
      socket.destroy();
      return;
    }
    open.set(address, n + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

/**
 * Closes a connection that sends nothing within `ms` of opening. Node's `headersTimeout` only
 * starts with a request's first bytes, so a client could otherwise hold sockets that never speak.
 */
function closeSilent(server: Server, ms: number): void {
  server.on('connection', (socket: Socket) => {
    if (socket.destroyed) return;
    socket.setTimeout(ms, () => socket.destroy());
    socket.once('data', () => socket.setTimeout(0));
  });
}
