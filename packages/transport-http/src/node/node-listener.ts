import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RestHandler } from '../rest-handler';

/**
 * Options of {@link toNodeListener}.
 *
 * @example
 * ```ts
 * const options: NodeListenerOptions = { origin: 'https://backup.example.org' };
 * ```
 */
export interface NodeListenerOptions {
  /** Origin used to build `request.url`. Default: `http(s)://` plus the request's Host header. */
  origin?: string | undefined;
}

/**
 * Adapts a web-standard handler (such as {@link "@kluis/transport-http".createRestHandler | createRestHandler}'s) to a `node:http` /
 * `node:https` request listener. The request body is streamed on demand, so a body the handler
 * refuses is never buffered (Node discards it); the client address and the raw request target
 * reach the handler as its second argument; a client that disconnects aborts `request.signal`.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { createServer } from 'node:https';
 *
 * const tls = { key: readFileSync('privkey.pem'), cert: readFileSync('fullchain.pem') };
 * const server = createServer(tls, toNodeListener(createRestHandler(store, hooks)));
 * server.listen(8443);
 * ```
 */
export function toNodeListener(
  handler: RestHandler,
  options: NodeListenerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new Error('client disconnected'));
    });
    handle(handler, options, req, res, abort.signal).catch((e: unknown) => {
      res.destroy(e instanceof Error ? e : new Error(String(e)));
    });
  };
}

async function handle(
  handler: RestHandler,
  options: NodeListenerOptions,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
): Promise<void> {
  const tls = 'encrypted' in req.socket && req.socket.encrypted === true;
  const origin = options.origin ?? `${tls ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
  const method = req.method ?? 'GET';
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const request = new Request(new URL(safeTarget(req.url), origin), {
    method,
    headers,
    signal,
    ...(hasBody ? { body: bodyOf(req), duplex: 'half' } : {}),
  } as RequestInit);
  const response = await handler(request, { clientAddress: req.socket.remoteAddress, rawTarget: req.url });
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    out[name] = value;
  });
  res.writeHead(response.status, out);
  await writeBody(response, res, method === 'HEAD');
}

/** A URL-parseable version of the target; the raw one goes to the handler separately. */
function safeTarget(target: string | undefined): string {
  return target?.startsWith('/') ? target : `/${target ?? ''}`;
}

/** The request body as a web stream that reads from Node only when the handler pulls. */
function bodyOf(req: IncomingMessage): ReadableStream<Uint8Array> {
  let chunks: AsyncIterator<Buffer> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        chunks ??= req[Symbol.asyncIterator]();
        const { done, value } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      },
      cancel() {
        req.resume();
      },
    },
    { highWaterMark: 0 },
  );
}

async function writeBody(response: Response, res: ServerResponse, head: boolean): Promise<void> {
  if (!response.body || head) {
    await response.body?.cancel();
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value))
        await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
      if (res.destroyed) return;
    }
    res.end();
  } finally {
    reader.releaseLock();
  }
}
