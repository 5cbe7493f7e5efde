import type { Transport } from '@kluis/core';
import type { Exchange } from './_exchange';
import { OBJECT_TYPES, SEGMENT } from './_keys';
import { errorResponse, parseRange, V1_TYPE, V2_TYPE } from './_protocol';
import { storeError, write } from './_write';
import type { Principal, RequestContext } from './hooks';

/** Runs an authorised request against its store. */
export async function dispatch<P extends Principal>(
  ex: Exchange<P>,
  ctx: RequestContext<P>,
  store: Transport,
): Promise<Response> {
  try {
    switch (ctx.operation) {
      case 'create-repo':
        return new Response(null, { status: 200 });
      case 'delete-repo':
        return await deleteRepository(ex, ctx, store);
      case 'list':
        return await list(ex, ctx, store);
      case 'stat':
        return await stat(ctx, store);
      case 'read':
        return await read(ex, ctx, store);
      case 'write':
        return await write(ex, ctx, store);
      case 'delete':
        return await remove(ex, ctx, store, ctx.key!);
    }
  } catch (e) {
    return storeError(ex, e);
  }
}

async function stat<P extends Principal>(ctx: RequestContext<P>, store: Transport): Promise<Response> {
  const info = await store.stat(ctx.key!, { signal: ctx.request.signal });
  if (!info) return errorResponse(404, 'not-found', `${ctx.key} not found`);
  return new Response(null, { status: 200, headers: { 'content-length': String(info.size) } });
}

async function read<P extends Principal>(
  ex: Exchange<P>,
  ctx: RequestContext<P>,
  store: Transport,
): Promise<Response> {
  const key = ctx.key!;
  const signal = ctx.request.signal;
  const header = ctx.request.headers.get('range');
  let status = 200;
  const headers: Record<string, string> = {
    'content-type': 'application/octet-stream',
    'accept-ranges': 'bytes',
  };
  let bytes: Uint8Array<ArrayBuffer>;
  const info = header === null ? undefined : await store.stat(key, { signal });
  const range = info && parseRange(header, info.size);
  if (range === 'unsatisfiable') {
    return errorResponse(416, 'range-not-satisfiable', `range ${header} outside ${key}`, {
      'content-range': `bytes */${info!.size}`,
    });
  }
  if (range) {
    bytes = toBody(await store.get(key, { signal, range }));
    status = 206;
    headers['content-range'] = `bytes ${range.offset}-${range.offset + range.length - 1}/${info!.size}`;
  } else {
    bytes = toBody(await store.get(key, { signal }));
  }
  headers['content-length'] = String(bytes.length);
  ex.bytesOut = bytes.length;
  return new Response(bytes, { status, headers });
}

async function list<P extends Principal>(
  ex: Exchange<P>,
  ctx: RequestContext<P>,
  store: Transport,
): Promise<Response> {
  const prefix = `${ctx.type}/`;
  const entries: { name: string; size: number }[] = [];
  for await (const { key, size } of store.list(prefix, { signal: ctx.request.signal })) {
    const name = key.slice(prefix.length);
    if (key.startsWith(prefix) && SEGMENT.test(name)) entries.push({ name, size });
  }
  const v2 = (ctx.request.headers.get('accept') ?? '').includes(V2_TYPE);
  const body = new TextEncoder().encode(JSON.stringify(v2 ? entries : entries.map((e) => e.name)));
  ex.bytesOut = body.length;
  return new Response(body, {
    status: 200,
    headers: { 'content-type': v2 ? V2_TYPE : V1_TYPE, 'content-length': String(body.length) },
  });
}

/**
 * Deletes one object; serialised per object so `beforeDelete` and `afterDelete` see each deletion
 * exactly once. A refusal from `beforeDelete` is answered as is and deletes nothing.
 */
async function remove<P extends Principal>(
  ex: Exchange<P>,
  ctx: RequestContext<P>,
  store: Transport,
  key: string,
): Promise<Response> {
  const signal = ctx.request.signal;
  const size = await ex.config.serialise(`${ctx.repo}/${key}`, async () => {
    const info = await store.stat(key, { signal });
    if (!info) return undefined;
    const refusal = await ex.config.hooks.beforeDelete?.({ ...ctx, key, size: info.size });
    if (refusal) return refusal;
    await store.delete(key, { signal });
    return info.size;
  });
  if (size instanceof Response) return size;
  if (size === undefined) return errorResponse(404, 'not-found', `${key} not found`);
  await ex.config.hooks.afterDelete?.({ ...ctx, key, size });
  return new Response(null, { status: 200 });
}

async function deleteRepository<P extends Principal>(
  ex: Exchange<P>,
  ctx: RequestContext<P>,
  store: Transport,
): Promise<Response> {
  const keys = ['config'];
  for (const type of OBJECT_TYPES) {
    for await (const { key } of store.list(`${type}/`, { signal: ctx.request.signal })) keys.push(key);
  }
  for (const key of keys) {
    const slash = key.indexOf('/');
    const type = slash < 0 ? 'config' : (key.slice(0, slash) as RequestContext['type']);
    const name = slash < 0 ? undefined : key.slice(slash + 1);
    const response = await remove(ex, { ...ctx, type, name, key }, store, key);
    if (response.status !== 200 && response.status !== 404) return response;
  }
  return new Response(null, { status: 200 });
}

/** A store's bytes as a body the `Response` constructor accepts without copying. */
function toBody(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}
