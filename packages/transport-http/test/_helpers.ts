import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { memoryTransport, type Transport } from '@kluis/core';
import {
  type AccessLogEntry,
  createRestHandler,
  type Principal,
  type RestHandlerOptions,
  type RestHooks,
} from '../src/index';
import { type NodeServer, serveNode } from '../src/node/index';

/** SHA-256 hex of bytes, through node's WebCrypto. */
export async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Random bytes and the hash-name of them. */
export async function blob(size: number, seed = 1): Promise<{ bytes: Uint8Array<ArrayBuffer>; id: string }> {
  const bytes = new Uint8Array(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return { bytes, id: await sha256(bytes) };
}

/** A memory store that records every call, to prove some requests never reach it. */
export function spyStore(inner: Transport = memoryTransport()): { store: Transport; calls: string[] } {
  const calls: string[] = [];
  const note = <T>(call: string, result: T): T => {
    calls.push(call);
    return result;
  };
  const store: Transport = {
    name: inner.name,
    capabilities: inner.capabilities,
    stat: (k, o) => note(`stat ${k}`, inner.stat(k, o)),
    get: (k, o) => note(`get ${k}`, inner.get(k, o)),
    put: (k, b, o) => note(`put ${k}`, inner.put(k, b, o)),
    delete: (k, o) => note(`delete ${k}`, inner.delete(k, o)),
    list: (p, o) => note(`list ${p}`, inner.list(p, o)),
  };
  return { store, calls };
}

/** A started server plus an access log whose entries tests can await. */
export interface TestServer extends NodeServer {
  log: AccessLogEntry[];
  /** Resolves with the access-log entry number `n` (0-based) once it exists. */
  entry(n: number): Promise<AccessLogEntry>;
}

export async function startServer<P extends Principal = Principal>(
  store: Transport | ((repo: string) => Transport),
  hooks: RestHooks<P> = {},
  options: RestHandlerOptions = {},
): Promise<TestServer> {
  const log: AccessLogEntry[] = [];
  const waiters: (() => void)[] = [];
  const handler = createRestHandler<P>(
    store,
    {
      ...hooks,
      onAccess: (e) => {
        log.push(e);
        hooks.onAccess?.(e);
        for (const w of waiters.splice(0)) w();
      },
    },
    options,
  );
  const server = await serveNode(handler);
  const entry = async (n: number): Promise<AccessLogEntry> => {
    while (log.length <= n) await new Promise<void>((r) => waiters.push(r));
    return log[n]!;
  };
  return Object.assign(server, { log, entry });
}

/** Sends a request with the path exactly as given (fetch would normalise it). */
export function rawRequest(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a TCP connection, sends `head` and `bodyPart`, then closes: a client that breaks off an upload. */
export function brokenUpload(url: string, head: string, bodyPart: Uint8Array): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(head);
      socket.end(bodyPart);
    });
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.resume();
  });
}
