import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { assertKey, KluisError, type PutOptions, throwIfAborted } from '@kluis/core';
import type { ConditionalWrites } from './_conditional';
import { contentMd5 } from './_content-md5';
import { call } from './_errors';
import { multipartUpload } from './_multipart';
import { statObject } from './_read';
import { MAX_SINGLE_PUT, type ResolvedOptions } from './options';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * PutObject with Content-MD5 (or a multipart upload above the threshold). Create-only writes send
 * `If-None-Match: *` when the server honours it, and always use a single PutObject then (up to
 * 5 GiB), because completing a multipart upload is not conditional on every server.
 */
export async function putObject(
  o: ResolvedOptions,
  conditional: ConditionalWrites,
  key: string,
  body: Uint8Array,
  options?: PutOptions,
): Promise<void> {
  assertKey(key);
  if (!(body instanceof Uint8Array)) throw new TypeError(`s3 put ${key}: body must be a Uint8Array`);
  const signal = options?.signal;
  throwIfAborted(signal);
  const ifAbsent = options?.ifAbsent === true;
  const native = ifAbsent && (await conditional.resolve(signal));
  const single = body.length <= MAX_SINGLE_PUT && (body.length <= o.multipartThreshold || native);
  if (ifAbsent && (!native || !single) && (await statObject(o, key, signal))) {
    throw new KluisError('ALREADY_EXISTS', `s3 put ${key}: the object exists`);
  }
  const upload: Upload = { what: `s3 put ${key}`, s3Key: o.root + key, objectParams: lockParams(o, key) };
  try {
    if (single) return await singlePut(o, upload, body, native, signal);
    const { client, bucket, partSize, maxConcurrency: concurrency, md5 } = o;
    const target = { ...upload, client, bucket, partSize, concurrency, md5, ifNoneMatch: native };
    return await multipartUpload(target, body, signal);
  } catch (e) {
    throw explainLockFailure(o, e);
  }
}

/** What one upload writes where. */
interface Upload {
  what: string;
  s3Key: string;
  objectParams: Record<string, unknown>;
}

async function singlePut(
  o: ResolvedOptions,
  u: Upload,
  body: Uint8Array,
  ifNoneMatch: boolean,
  signal: AbortSignal | undefined,
): Promise<void> {
  await call(u.what, signal, (opt) =>
    o.client.send(
      new PutObjectCommand({
        Bucket: o.bucket,
        Key: u.s3Key,
        Body: body,
        ContentLength: body.length,
        ContentMD5: contentMd5(body, o.md5),
        ...(ifNoneMatch ? { IfNoneMatch: '*' } : {}),
        ...u.objectParams,
      }),
      opt,
    ),
  );
}

/** Retain-until date and mode for keys under Object Lock, else nothing. */
function lockParams(o: ResolvedOptions, key: string) {
  const lock = o.objectLock;
  if (!lock?.appliesTo(key)) return {};
  return {
    ObjectLockMode: lock.mode,
    ObjectLockRetainUntilDate: new Date(Date.now() + lock.retainDays * DAY_MS),
  };
}

/** `InvalidRequest` on a write with Object Lock settings means the bucket has Object Lock off. */
function explainLockFailure(o: ResolvedOptions, e: unknown): unknown {
  const cause = KluisError.is(e, 'PROTOCOL') ? (e.cause as { name?: unknown } | undefined) : undefined;
  if (!o.objectLock || cause?.name !== 'InvalidRequest') return e;
  return new KluisError(
    'INVALID_CONFIG',
    `${e instanceof Error ? e.message : String(e)}: objectLock is set, but bucket ${o.bucket} was not created with Object Lock enabled`,
    { cause: e },
  );
}

/** DeleteObject; a missing object is success. On a versioned bucket this adds a delete marker. */
export async function deleteObject(o: ResolvedOptions, key: string, signal: AbortSignal | undefined) {
  assertKey(key);
  try {
    await call(`s3 delete ${key}`, signal, (opt) =>
      o.client.send(new DeleteObjectCommand({ Bucket: o.bucket, Key: o.root + key }), opt),
    );
  } catch (e) {
    if (!KluisError.is(e, 'NOT_FOUND')) throw e;
  }
}
