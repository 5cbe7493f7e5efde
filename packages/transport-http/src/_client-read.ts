/**
 * The reading half of the client: `stat` (HEAD), `get` (GET, ranges) and `list` (GET of the type
 * directories, v2 or v1 listings).
 */
import {
  type AbortOptions,
  assertKey,
  assertPrefix,
  type GetOptions,
  KluisError,
  type ObjectInfo,
  sliceRange,
} from '@kluis/core';
import * as z from 'zod/mini';
import { type Client, send } from './_client';
import { nestsDeeperThan } from './_json-depth';
import { formatKey, OBJECT_TYPES, parseKey, SEGMENT } from './_keys';
import { V2_TYPE } from './_protocol';
import { inEnglish } from './_zod-messages';

/** The REST path of a key, relative to the repository URL; `TypeError` for keys REST cannot carry. */
export function pathOf(key: string): string {
  assertKey(key);
  return formatKey(parseKey(key));
}

/** `HEAD`: the size from `Content-Length`, or `undefined` for a 404. */
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

/**
 * `GET`, with `Range: bytes=a-b` for a range: a 206 must start at the offset and hold exactly the
 * length (a shorter one means the range passed the end); a 200 (ranges ignored) is sliced.
 */
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

/**
 * Lists every type directory the prefix can reach (`data/ab` needs only `data/`), plus `config`
 * when the prefix allows it. A 404 for a directory means it is empty.
 */
export async function* list(client: Client, prefix: string, o?: AbortOptions): AsyncIterable<ObjectInfo> {
  assertPrefix(prefix);
  for (const type of OBJECT_TYPES) {
    const dir = `${type}/`;
    if (!dir.startsWith(prefix) && !prefix.startsWith(dir)) continue;
    const what = `list ${dir}`;
    const res = await send(client, { method: 'GET', path: dir, what, ok: [200, 404], signal: o?.signal });
    if (res.status === 404) continue;
    const listing = parseListing(res.body, res.headers.get('content-type'), what);
    if (listing.version === 2) {
      for (const { name, size } of listing.entries)
        if (`${dir}${name}`.startsWith(prefix)) yield { key: dir + name, size };
      continue;
    }
    for (const name of listing.names) {
      if (!`${dir}${name}`.startsWith(prefix)) continue;
      const info = await stat(client, dir + name, o);
      if (info) yield info;
    }
  }
  if ('config'.startsWith(prefix)) {
    const info = await stat(client, 'config', o);
    if (info) yield info;
  }
}

const name = z.string().check(z.regex(SEGMENT));
const v2 = z.array(z.object({ name, size: z.int().check(z.gte(0), z.lte(Number.MAX_SAFE_INTEGER)) }));
const v1 = z.array(name);

/** A parsed listing: v2 carries sizes; v1 only names, whose sizes must be asked for one by one. */
export type Listing =
  | { version: 2; entries: { name: string; size: number }[] }
  | { version: 1; names: string[] };

/**
 * Parses the reply to `GET {type}/`. The `Content-Type` decides the version, as restic's client
 * does: the v2 media type means `[{ "name", "size" }]`, anything else a v1 array of names. Names
 * must be valid key segments, so a hostile server cannot inject keys such as `../x`.
 */
export function parseListing(body: Uint8Array, contentType: string | null, what: string): Listing {
  const text = new TextDecoder().decode(body);
  // A listing is an array of names or of flat objects: two levels.
  if (nestsDeeperThan(text, 2))
    throw new KluisError('PROTOCOL', `${what}: the listing nests deeper than a listing can`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new KluisError('PROTOCOL', `${what}: the listing is not JSON`, { cause: e });
  }
  const isV2 = (contentType ?? '').split(';')[0]?.trim() === V2_TYPE;
  const parsed = isV2 ? v2.safeParse(json, inEnglish()) : v1.safeParse(json, inEnglish());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    throw new KluisError(
      'PROTOCOL',
      `${what}: malformed v${isV2 ? 2 : 1} listing at ${where}: ${issue?.message}`,
    );
  }
  return isV2
    ? { version: 2, entries: parsed.data as { name: string; size: number }[] }
    : { version: 1, names: parsed.data as string[] };
}
