import {
  type AbortOptions,
  assertKey,
  type GetOptions,
  KluisError,
  type ObjectInfo,
  sliceRange,
} from '@kluis/core';
import { type Client, send } from './_client';
import { formatKey, parseKey } from './_keys';

/** The REST path of a key, relative to the repository URL; `TypeError` for keys REST cannot carry. */
export function pathOf(key: string): string {
  assertKey(key);
  return formatKey(parseKey(key));
}

export async function stat(client: Client, key: string, o?: AbortOptions): Promise<ObjectInfo | undefined> {
  const path = pathOf(key);
  const res = await send(client, {
    method: 'HEAD',
    path,
    what: `stat ${key}`,
    ok: [200, 404],
    signal: o?.signal,
  });
  if (res.status === 404) return undefined;
  const length = res.headers.get('content-length');
  if (length === null || !/^\d+$/.test(length)) {
    throw new KluisError('PROTOCOL', `stat ${key}: the server sent no valid Content-Length`);
  }
  return { key, size: Number(length) };
}

export async function get(client: Client, key: string, o?: GetOptions): Promise<Uint8Array> {
  const path = pathOf(key);
  const range = o?.range;
  if (range) checkRange(key, range);
  if (range?.length === 0) {
    const info = await stat(client, key, o);
    if (!info) throw new KluisError('NOT_FOUND', `get ${key}: not found`);
    return sliceRange(key, new Uint8Array(info.size), range).slice();
  }
  const headers: Record<string, string> = range
    ? { range: `bytes=${range.offset}-${range.offset + range.length - 1}` }
    : {};
  const what = `get ${key}`;
  const res = await send(client, { method: 'GET', path, what, ok: [200, 206], signal: o?.signal, headers });
  if (!range) return res.body;
  if (res.status === 200) return sliceRange(key, res.body, range).slice();
  const start = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1];
  if (start !== undefined && Number(start) !== range.offset) {
    throw new KluisError('PROTOCOL', `${what}: asked for offset ${range.offset}, got ${start}`);
  }
  if (res.body.length !== range.length) {
    throw new KluisError(
      'INVALID_DATA',
      `${what}: range ${range.offset}+${range.length} is past the end of the object`,
    );
  }
  return res.body;
}

function checkRange(key: string, range: { offset: number; length: number }): void {
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new RangeError(`invalid range ${offset}+${length} for ${key}`);
  }
}
