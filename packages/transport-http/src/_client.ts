import { KluisError, throwIfAborted } from '@kluis/core';
import { CREATE_ONLY_HEADER, V2_TYPE } from './_protocol';
import { fetchError, statusError } from './_status';
import type { HttpTransportOptions } from './http-transport-options';

/** Resolved settings of one client, plus what it learned from the server. */
export interface Client {
  readonly base: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  /** Set once a response said uploads are atomically create-only. */
  atomicCreate: boolean;
}

/** One request: which statuses count as success, and how to name it in errors. */
export interface Call {
  method: 'GET' | 'HEAD' | 'POST' | 'DELETE';
  path: string;
  what: string;
  ok: readonly number[];
  signal?: AbortSignal | undefined;
  headers?: Record<string, string>;
  body?: Uint8Array<ArrayBuffer>;
  /** A longer response body is refused (`PROTOCOL`) without being read whole. Default: no bound. */
  maxBytes?: number;
}

/** Builds a client from the public options: base URL ending in `/`, credentials as a header. */
export function createClient(options: HttpTransportOptions): Client {
  const base = new URL(options.url);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TypeError(`httpTransport: url must be http(s), got ${base.protocol}`);
  }
  const fromUrl = base.username
    ? { username: decodeURIComponent(base.username), password: decodeURIComponent(base.password) }
    : undefined;
  base.username = '';
  base.password = '';
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const auth = options.auth ?? fromUrl;
  const headers: Record<string, string> = { accept: V2_TYPE, ...options.headers };
  if (auth && 'token' in auth) headers.authorization = `Bearer ${auth.token}`;
  else if (auth) headers.authorization = `Basic ${base64(`${auth.username}:${auth.password}`)}`;
  const timeoutMs = options.timeoutMs ?? 120_000;
  if (!(timeoutMs > 0)) throw new RangeError(`httpTransport: timeoutMs must be positive, got ${timeoutMs}`);
  return {
    base,
    headers,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    timeoutMs,
    atomicCreate: false,
  };
}

/** The response to a call whose status is one of `call.ok`, with its body read as bytes. */
export async function send(
  client: Client,
  call: Call,
): Promise<{ status: number; headers: Headers; body: Uint8Array }> {
  throwIfAborted(call.signal);
  const timeout = AbortSignal.timeout(client.timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
  try {
    const response = await client.fetch(new URL(call.path, client.base), {
      method: call.method,
      headers: { ...client.headers, ...call.headers },
      signal,
      ...(call.body ? { body: call.body } : {}),
    });
    const announced = response.headers.get(CREATE_ONLY_HEADER);
    if (announced !== null) client.atomicCreate = announced === 'atomic';
    if (!call.ok.includes(response.status)) {
      await response.body?.cancel().catch(() => undefined);
      throw statusError(response, call.what);
    }
    const body =
      call.method === 'HEAD'
        ? new Uint8Array(0)
        : call.maxBytes === undefined
          ? new Uint8Array(await response.arrayBuffer())
          : await readBounded(response, call.maxBytes, call.what);
    return { status: response.status, headers: response.headers, body };
  } catch (e) {
    throw fetchError(e, call.what, call.signal, timeout);
  }
}

/** A response body of at most `max` bytes; a longer one is cancelled and refused. */
async function readBounded(response: Response, max: number, what: string): Promise<Uint8Array> {
  const tooLong = () => new KluisError('PROTOCOL', `${what}: answer longer than ${max} bytes`);
  if (Number(response.headers.get('content-length') ?? 0) > max) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLong();
  }
  const chunks: Uint8Array[] = [];
  let n = 0;
  const reader = response.body?.getReader();
  for (;;) {
    const next = reader ? await reader.read() : { done: true as const };
    if (next.done) break;
    n += next.value.length;
    if (n > max) {
      await reader!.cancel().catch(() => undefined);
      throw tooLong();
    }
    chunks.push(next.value);
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Base64 of the UTF-8 bytes of `text` (for Basic credentials beyond Latin-1). */
function base64(text: string): string {
  let binary = '';
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
  return btoa(binary);
}
