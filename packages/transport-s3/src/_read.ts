import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  assertKey,
  assertPrefix,
  type GetOptions,
  KluisError,
  type ObjectInfo,
  sliceRange,
  throwIfAborted,
} from '@kluis/core';
import { call } from './_errors';
import type { ResolvedOptions } from './options';

/** HeadObject: the size, or `undefined` when there is no such object. */
export async function statObject(
  o: ResolvedOptions,
  key: string,
  signal: AbortSignal | undefined,
): Promise<ObjectInfo | undefined> {
  assertKey(key);
  const what = `s3 stat ${key}`;
  try {
    const out = await call(what, signal, (opt) =>
      o.client.send(new HeadObjectCommand({ Bucket: o.bucket, Key: o.root + key }), opt),
    );
    if (typeof out.ContentLength !== 'number') throw new KluisError('PROTOCOL', `${what}: no Content-Length`);
    return { key, size: out.ContentLength };
  } catch (e) {
    if (KluisError.is(e, 'NOT_FOUND')) return undefined;
    throw e;
  }
}

/** GetObject, with `Range: bytes=a-b` for a range; a short answer is `INVALID_DATA`, never returned. */
export async function getObject(o: ResolvedOptions, key: string, options?: GetOptions): Promise<Uint8Array> {
  assertKey(key);
  const { range, signal } = options ?? {};
  if (range) checkRange(key, range);
  // `bytes=a-(a-1)` is not a valid range: answer an empty range from the object's size.
  if (range?.length === 0) return emptyRange(o, key, range.offset, signal);
  const what = `s3 get ${key}`;
  const header = range ? `bytes=${range.offset}-${range.offset + range.length - 1}` : undefined;
  const { bytes, partial, expected } = await call(what, signal, async (opt) => {
    const out = await o.client.send(
      new GetObjectCommand({ Bucket: o.bucket, Key: o.root + key, ...(header ? { Range: header } : {}) }),
      opt,
    );
    if (!out.Body) throw new KluisError('PROTOCOL', `${what}: the answer has no body`);
    const body = await out.Body.transformToByteArray();
    return { bytes: body, partial: out.ContentRange !== undefined, expected: out.ContentLength };
  });
  if (expected !== undefined && bytes.length !== expected) {
    throw new KluisError('UNAVAILABLE', `${what}: got ${bytes.length} of ${expected} bytes (connection cut)`);
  }
  if (!range) return bytes;
  // A server that ignores Range sends the whole object: slice it here.
  if (!partial) return sliceRange(key, bytes, range).slice();
  if (bytes.length !== range.length) {
    throw new KluisError('INVALID_DATA', `range ${range.offset}+${range.length} is past the end of ${key}`);
  }
  return bytes;
}

function checkRange(key: string, { offset, length }: { offset: number; length: number }): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new RangeError(`invalid range ${offset}+${length} for ${key}`);
  }
}

async function emptyRange(
  o: ResolvedOptions,
  key: string,
  offset: number,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  const info = await statObject(o, key, signal);
  if (!info) throw new KluisError('NOT_FOUND', `s3 get ${key}: no such object`);
  if (offset > info.size) {
    throw new KluisError('INVALID_DATA', `range ${offset}+0 is past the end of ${key} (${info.size} bytes)`);
  }
  return new Uint8Array(0);
}

/**
 * ListObjectsV2, page by page (S3 returns at most 1000 keys per page), following continuation
 * tokens. Objects whose names are not valid transport keys (written by something else) are skipped.
 */
export async function* listObjects(
  o: ResolvedOptions,
  prefix: string,
  signal: AbortSignal | undefined,
): AsyncIterable<ObjectInfo> {
  assertPrefix(prefix);
  const what = `s3 list ${prefix === '' ? '(all)' : prefix}`;
  let token: string | undefined;
  do {
    throwIfAborted(signal);
    const page = await call(what, signal, (opt) =>
      o.client.send(
        new ListObjectsV2Command({
          Bucket: o.bucket,
          Prefix: o.root + prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
        opt,
      ),
    );
    for (const item of page.Contents ?? []) {
      const key = item.Key?.startsWith(o.root) ? item.Key.slice(o.root.length) : undefined;
      if (key !== undefined && isKey(key)) yield { key, size: item.Size ?? 0 };
    }
    if (page.IsTruncated && !page.NextContinuationToken) {
      throw new KluisError('PROTOCOL', `${what}: truncated listing without a continuation token`);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

function isKey(key: string): boolean {
  try {
    assertKey(key);
    return true;
  } catch {
    return false;
  }
}
