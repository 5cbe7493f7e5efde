import { KluisError, type Transport } from '@kluis/core';
import { readExactBody } from './_body';
import type { Exchange } from './_exchange';
import { HASHED_TYPES } from './_keys';
import { errorResponse, sha256Hex } from './_protocol';
import type { Principal, RequestContext } from './hooks';

const DIGITS = /^\d{1,16}$/;

/**
 * Stores one upload: Content-Length checked (411, 400, 413), refused if the object exists (403),
 * quota reserved (`beforeWrite`), body read exactly (400 if short or long), name checked against
 * the SHA-256 (400), then a create-only `put`. `afterWrite` settles the reservation in every case.
 */
export async function write<P extends Principal>(
  ex: Exchange<P>,
  ctx: RequestContext<P>,
  store: Transport,
): Promise<Response> {
  const { config, request } = ex;
  const key = ctx.key!;
  const declared = request.headers.get('content-length');
  if (declared === null) return errorResponse(411, 'length-required', 'uploads need a Content-Length header');
  if (!DIGITS.test(declared)) return errorResponse(400, 'invalid-request', 'malformed Content-Length');
  const size = Number(declared);
  if (size > config.maxUploadBytes) {
    return errorResponse(413, 'too-large', `uploads are limited to ${config.maxUploadBytes} bytes`);
  }
  if (await store.stat(key, { signal: request.signal })) return exists(key);
  const sized = { ...ctx, size };
  const refusal = await config.hooks.beforeWrite?.(sized);
  if (refusal) return refusal;
  let ok = false;
  try {
    const body = await readExactBody(request.body, size);
    ex.bytesIn = body.ok ? size : body.read;
    if (!body.ok) return errorResponse(400, 'truncated', `upload of ${key} incomplete: ${body.reason}`);
    if (config.verifyUploads && ctx.type !== undefined && HASHED_TYPES.has(ctx.type)) {
      const actual = await sha256Hex(body.bytes);
      if (actual !== ctx.name) {
        return errorResponse(400, 'hash-mismatch', `the SHA-256 of the body is ${actual}, not ${ctx.name}`);
      }
    }
    await config.serialise(`${ctx.repo}/${key}`, () =>
      store.put(key, body.bytes, { ifAbsent: true, signal: request.signal }),
    );
    ok = true;
    return new Response(null, { status: 200 });
  } catch (e) {
    return storeError(ex, e);
  } finally {
    await config.hooks.afterWrite?.({ ...sized, ok });
  }
}

function exists(key: string): Response {
  return errorResponse(403, 'already-exists', `${key} already exists and is never overwritten`);
}

/**
 * Turns a store failure into a response: known kluis error codes map to their HTTP meaning, the
 * rest is a 500 reported to `onError`.
 */
export function storeError<P extends Principal>(ex: Exchange<P>, e: unknown): Response {
  if (KluisError.is(e, 'NOT_FOUND')) return errorResponse(404, 'not-found', 'not found');
  if (KluisError.is(e, 'ALREADY_EXISTS')) return exists(ex.path);
  if (KluisError.is(e, 'INVALID_DATA'))
    return errorResponse(416, 'range-not-satisfiable', 'range outside the object');
  if (KluisError.is(e, 'QUOTA')) return errorResponse(507, 'unavailable', 'storage full');
  if (KluisError.is(e, 'ABORTED')) return errorResponse(400, 'invalid-request', 'request aborted');
  ex.config.hooks.onError?.(e, { method: ex.request.method, path: ex.path });
  if (KluisError.is(e) && e.retryable) {
    return errorResponse(503, 'unavailable', 'storage temporarily unavailable', { 'retry-after': '1' });
  }
  return errorResponse(500, 'internal', 'internal server error');
}
