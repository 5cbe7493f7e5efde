import { CREATE_ONLY_HEADER, ERROR_HEADER, MAINTENANCE_UNTIL_HEADER } from './_protocol';

/** Resolved CORS settings of one handler. */
export interface CorsConfig {
  /** Allowed origins, lowercased; `*` allows every origin. */
  readonly origins: ReadonlySet<string>;
  readonly methods: string;
  readonly headers: string;
  readonly maxAge: string;
}

const DEFAULT_METHODS = ['GET', 'HEAD', 'POST', 'DELETE'];
/** What `httpTransport` sends: Basic or Bearer credentials, the v2 `Accept`, uploads, range reads. */
const DEFAULT_HEADERS = ['authorization', 'accept', 'content-type', 'range'];
/**
 * Response headers `httpTransport` reads beyond the CORS-safelisted ones, so a page's `fetch` can
 * see them: partial reads, create-only uploads, error reasons and back-off.
 */
const EXPOSED = [
  'content-range',
  CREATE_ONLY_HEADER,
  ERROR_HEADER,
  MAINTENANCE_UNTIL_HEADER,
  'retry-after',
  'www-authenticate',
].join(', ');
const ORIGIN = /^https?:\/\/[^/?#\s]+$/i;

/** Validates the public CORS options (programmer errors throw TypeError or RangeError). */
export function resolveCors(o: {
  origins: readonly string[];
  methods?: readonly string[] | undefined;
  headers?: readonly string[] | undefined;
  maxAgeSeconds?: number | undefined;
}): CorsConfig {
  if (!Array.isArray(o.origins) || o.origins.length === 0) {
    throw new TypeError('cors.origins must list at least one origin, e.g. ["https://app.example.org"]');
  }
  for (const origin of o.origins) {
    if (origin !== '*' && !ORIGIN.test(origin)) {
      throw new TypeError(
        `cors.origins: ${JSON.stringify(origin)} is not an origin (scheme://host[:port], no path) or "*"`,
      );
    }
  }
  const maxAge = o.maxAgeSeconds ?? 600;
  if (!Number.isSafeInteger(maxAge) || maxAge < 0) {
    throw new RangeError(`cors.maxAgeSeconds must be a non-negative integer, got ${maxAge}`);
  }
  const headers = new Set([...DEFAULT_HEADERS, ...(o.headers ?? []).map((h) => h.toLowerCase())]);
  return {
    origins: new Set(o.origins.map((x) => x.toLowerCase())),
    methods: [...new Set([...(o.methods ?? DEFAULT_METHODS).map((m) => m.toUpperCase())])].join(', '),
    headers: [...headers].join(', '),
    maxAge: String(maxAge),
  };
}

function allowedOrigin(cors: CorsConfig, request: Request): string | undefined {
  const origin = request.headers.get('origin');
  if (origin === null) return undefined;
  return cors.origins.has('*') || cors.origins.has(origin.toLowerCase()) ? origin : undefined;
}

/**
 * Answers a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`) without
 * authentication: 204 with the allowed methods and headers for an allowed origin, 403 otherwise.
 * Returns `undefined` for every other request.
 */
export function preflight(cors: CorsConfig, request: Request): Response | undefined {
  if (request.method !== 'OPTIONS' || !request.headers.has('access-control-request-method')) return undefined;
  const origin = allowedOrigin(cors, request);
  if (origin === undefined) {
    return new Response(null, { status: 403, headers: { vary: 'Origin', [ERROR_HEADER]: 'forbidden' } });
  }
  return new Response(null, {
    status: 204,
    headers: {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': cors.methods,
      'access-control-allow-headers': cors.headers,
      'access-control-max-age': cors.maxAge,
      vary: 'Origin',
    },
  });
}

/** Adds `Access-Control-Allow-Origin` and the exposed headers to a response for an allowed origin. */
export function withCors(cors: CorsConfig, request: Request, answer: Response): Response {
  const origin = allowedOrigin(cors, request);
  let response = answer;
  try {
    response.headers.append('vary', 'Origin');
  } catch {
    // A hook returned a response with immutable headers (e.g. one from fetch): copy it.
    response = new Response(answer.body, answer);
    response.headers.append('vary', 'Origin');
  }
  if (origin === undefined) return response;
  response.headers.set('access-control-allow-origin', origin);
  response.headers.set('access-control-expose-headers', EXPOSED);
  return response;
}
