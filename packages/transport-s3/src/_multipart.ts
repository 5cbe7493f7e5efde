import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { KluisError } from '@kluis/core';
import { contentMd5 } from './_content-md5';
import { call } from './_errors';

/** Where and how one multipart upload goes. */
export interface MultipartTarget {
  client: S3Client;
  bucket: string;
  /** Full S3 key (prefix included). */
  s3Key: string;
  /** Names the operation in error messages. */
  what: string;
  partSize: number;
  /** Parts in flight at once. */
  concurrency: number;
  /** Object Lock and other per-object parameters of CreateMultipartUpload. */
  objectParams: Record<string, unknown>;
  /** Send `If-None-Match: *` with the completion. */
  ifNoneMatch: boolean;
  /** The MD5 function for Content-MD5. */
  md5: ((body: Uint8Array) => Uint8Array) | undefined;
}

interface Part {
  PartNumber: number;
  ETag: string;
}

/**
 * Uploads `body` in parts, each with its own Content-MD5. On any failure, including an abort, the
 * upload is aborted on the server, so neither an object nor stored parts are left behind.
 */
export async function multipartUpload(
  t: MultipartTarget,
  body: Uint8Array,
  signal?: AbortSignal,
): Promise<void> {
  const created = await call(`${t.what} (start multipart upload)`, signal, (o) =>
    t.client.send(new CreateMultipartUploadCommand({ Bucket: t.bucket, Key: t.s3Key, ...t.objectParams }), o),
  );
  const uploadId = created.UploadId;
  if (!uploadId) throw new KluisError('PROTOCOL', `${t.what}: the server returned no multipart upload id`);
  try {
    const parts = await uploadParts(t, uploadId, body, signal);
    await call(`${t.what} (complete multipart upload)`, signal, (o) =>
      t.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: t.bucket,
          Key: t.s3Key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
          ...(t.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
        }),
        o,
      ),
    );
  } catch (e) {
    // Without the caller's signal: the clean-up must run even when the caller aborted.
    await t.client
      .send(new AbortMultipartUploadCommand({ Bucket: t.bucket, Key: t.s3Key, UploadId: uploadId }))
      .catch(() => undefined);
    throw e;
  }
}

/** Uploads every part with at most `concurrency` in flight; the first failure stops the others. */
async function uploadParts(
  t: MultipartTarget,
  uploadId: string,
  body: Uint8Array,
  signal: AbortSignal | undefined,
): Promise<Part[]> {
  const count = Math.ceil(body.length / t.partSize);
  const parts: Part[] = new Array(count);
  const stop = new AbortController();
  const linked = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count && !linked.aborted) {
      const index = next++;
      const chunk = body.subarray(index * t.partSize, Math.min(body.length, (index + 1) * t.partSize));
      parts[index] = await uploadPart(t, uploadId, index + 1, chunk, linked);
    }
  };
  let firstError: unknown;
  const workers = Array.from({ length: Math.min(t.concurrency, count) }, () =>
    worker().catch((e: unknown) => {
      firstError ??= e;
      stop.abort(e);
    }),
  );
  await Promise.all(workers);
  if (signal?.aborted) throw new KluisError('ABORTED', `${t.what}: aborted`, { cause: signal.reason });
  if (firstError !== undefined) throw firstError;
  return parts;
}

async function uploadPart(
  t: MultipartTarget,
  uploadId: string,
  partNumber: number,
  chunk: Uint8Array,
  signal: AbortSignal,
): Promise<Part> {
  const out = await call(`${t.what} (part ${partNumber})`, signal, (o) =>
    t.client.send(
      new UploadPartCommand({
        Bucket: t.bucket,
        Key: t.s3Key,
        UploadId: uploadId,
        PartNumber: partNumber,
        Body: chunk,
        ContentLength: chunk.length,
        ContentMD5: contentMd5(chunk, t.md5),
      }),
      o,
    ),
  );
  if (!out.ETag) throw new KluisError('PROTOCOL', `${t.what}: part ${partNumber} came back without an ETag`);
  return { PartNumber: partNumber, ETag: out.ETag };
}
