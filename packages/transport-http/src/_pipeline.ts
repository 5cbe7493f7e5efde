import { preflight, withCors } from './_cors';
import type { Exchange, HandlerConfig } from './_exchange';
import { HASHED_TYPES } from './_keys';
import { dispatch } from './_operations';
import { CREATE_ONLY_HEADER, errorResponse, MAINTENANCE_UNTIL_HEADER } from './_protocol';
import { parseRoute, type Route } from './_route';
import type { Principal, RequestContext, RestOperation } from './hooks';
import type { RestRequestInfo } from './rest-request-info';

const WRITES: ReadonlySet<RestOperation> = new Set(['write', 'delete', 'create-repo', 'delete-repo']);
const HASH_NAME = /^[0-9a-f]{64}$/;

/** Answers one request and reports it to `onAccess`. */
export async function serve<P extends Principal>(
  config: HandlerConfig<P>,
  request: Request,
  info: RestRequestInfo | undefined,
): Promise<Response> {
  const time = new Date();
  const started = performance.now();
  const url = new URL(request.url);
  const path = info?.rawTarget?.split('?')[0] ?? url.pathname;
  const clientAddress =
    config.clientAddress?.(request, info) ?? info?.clientAddress ?? info?.remoteAddr?.hostname;
  const ex: Exchange<P> = { config, request, path, clientAddress, bytesIn: 0, bytesOut: 0 };
  // A CORS preflight is answered before availability and authentication.
  const early = config.cors && preflight(config.cors, request);
  let response: Response;
  try {
    response = early ?? (await pipeline(ex, url));
  } catch (e) {
    config.hooks.onError?.(e, { method: request.method, path });
    response = errorResponse(500, 'internal', 'internal server error');
  }
  if (config.cors && !early) response = withCors(config.cors, request, response);
  try {
    config.hooks.onAccess?.({
      time,
      method: request.method,
      path,
      clientAddress,
      principal: ex.ctx?.principal?.name,
      repo: ex.ctx?.repo,
      operation: ex.ctx?.operation,
      key: ex.ctx?.key,
      status: response.status,
      bytesIn: ex.bytesIn,
      bytesOut: ex.bytesOut,
      durationMs: performance.now() - started,
    });
  } catch (e) {
    config.hooks.onError?.(e, { method: request.method, path });
  }
  return response;
}

async function pipeline<P extends Principal>(ex: Exchange<P>, url: URL): Promise<Response> {
  const { config, request } = ex;
  const route = parseRoute(ex.path, config.basePath);
  if (typeof route === 'string') return errorResponse(400, 'invalid-request', `bad path: ${route}`);
  const operation = operationOf(route, request.method, url, config);
  if (operation instanceof Response) return operation;
  ex.ctx = contextOf(ex, route, operation, undefined);
  const unavailable = checkAvailability(config, operation);
  if (unavailable) return unavailable;
  const principal = await config.hooks.authenticate?.(request, { clientAddress: ex.clientAddress });
  if (principal instanceof Response) return principal;
  if (config.hooks.authenticate && principal === undefined) {
    return errorResponse(401, 'unauthenticated', 'authentication required', {
      'www-authenticate': `Basic realm="${config.realm}", charset="UTF-8"`,
    });
  }
  const ctx = contextOf(ex, route, operation, principal);
  ex.ctx = ctx;
  const verdict = config.hooks.authorize ? await config.hooks.authorize(ctx) : true;
  if (verdict instanceof Response) return verdict;
  if (!verdict) return errorResponse(403, 'forbidden', `${operation} refused`);
  const store = await config.store(route.repo, { principal, request });
  const response = await dispatch(ex, ctx, store);
  if (!response.headers.has(CREATE_ONLY_HEADER)) {
    response.headers.set(CREATE_ONLY_HEADER, store.capabilities.conditionalPut ? 'atomic' : 'check');
  }
  return response;
}

function operationOf<P extends Principal>(
  route: Route,
  method: string,
  url: URL,
  config: HandlerConfig<P>,
): RestOperation | Response {
  const notAllowed = (allow: string) =>
    errorResponse(405, 'method-not-allowed', `${method} not allowed here`, { allow });
  if (route.kind === 'repo') {
    if (method === 'POST') {
      if (url.searchParams.get('create') === 'true') return 'create-repo';
      return errorResponse(400, 'invalid-request', 'POST to a repository path needs ?create=true');
    }
    if (method !== 'DELETE') return notAllowed('POST, DELETE');
    if (!config.deleteRepository)
      return errorResponse(501, 'not-implemented', 'deleting repositories is disabled');
    return 'delete-repo';
  }
  if (route.kind === 'list') return method === 'GET' ? 'list' : notAllowed('GET');
  const op = ({ GET: 'read', HEAD: 'stat', POST: 'write', DELETE: 'delete' } as const)[method];
  if (op === undefined) return notAllowed('GET, HEAD, POST, DELETE');
  if (
    op === 'write' &&
    config.verifyUploads &&
    route.kind === 'object' &&
    HASHED_TYPES.has(route.type) &&
    !HASH_NAME.test(route.name)
  ) {
    return errorResponse(
      400,
      'invalid-request',
      `${route.type} objects are named by the hex SHA-256 of their bytes`,
    );
  }
  return op;
}

function checkAvailability<P extends Principal>(
  config: HandlerConfig<P>,
  op: RestOperation,
): Response | undefined {
  const a = config.hooks.availability?.(new Date());
  if (!a || !(a.unavailable || (a.readOnly && WRITES.has(op)))) return undefined;
  const headers: Record<string, string> = {};
  if (a.retryAfterSeconds !== undefined)
    headers['retry-after'] = String(Math.max(0, Math.ceil(a.retryAfterSeconds)));
  const what = a.unavailable ? 'the service is unavailable' : 'the service is read-only';
  const until = a.until === undefined ? Number.NaN : new Date(a.until).getTime();
  if (Number.isNaN(until)) return errorResponse(503, 'unavailable', `${what} (maintenance)`, headers);
  const iso = new Date(until).toISOString();
  headers[MAINTENANCE_UNTIL_HEADER] = iso;
  const reason = a.reason ? `: ${a.reason}` : '';
  return errorResponse(503, 'maintenance', `${what} (maintenance${reason}) until ${iso}`, headers);
}

function contextOf<P extends Principal>(
  ex: Exchange<P>,
  route: Route,
  operation: RestOperation,
  principal: P | undefined,
): RequestContext<P> {
  const base = {
    principal,
    repo: route.repo,
    operation,
    request: ex.request,
    clientAddress: ex.clientAddress,
  };
  switch (route.kind) {
    case 'repo':
      return { ...base, type: undefined, name: undefined, key: undefined };
    case 'config':
      return { ...base, type: 'config', name: undefined, key: 'config' };
    case 'list':
      return { ...base, type: route.type, name: undefined, key: undefined };
    case 'object':
      return { ...base, type: route.type, name: route.name, key: `${route.type}/${route.name}` };
  }
}
