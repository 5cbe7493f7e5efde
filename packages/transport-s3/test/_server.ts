import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { inject } from 'vitest';

/** The S3 server the global setup started (or found through KLUIS_S3_ENDPOINT). */
export interface S3TestServer {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3: S3TestServer;
  }
}

/** The test server's address and credentials. */
export const server = (): S3TestServer => inject('s3');

/** A client for the test server with the settings the README recommends; `extra` overrides. */
export function testClient(extra: S3ClientConfig = {}): S3Client {
  const s = server();
  return new S3Client({
    endpoint: s.endpoint,
    region: s.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
    ...extra,
  });
}

let buckets = 0;

/** Creates a bucket with a name unique to this run. */
export async function createBucket(client: S3Client, objectLock = false): Promise<string> {
  const name = `kluis-${process.pid}-${Date.now().toString(36)}-${buckets++}`;
  await client.send(new CreateBucketCommand({ Bucket: name, ObjectLockEnabledForBucket: objectLock }));
  return name;
}

/** Deletes every object under `prefix` (a bucket without versioning). */
export async function emptyPrefix(client: S3Client, bucket: string, prefix: string): Promise<void> {
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    const keys = (page.Contents ?? []).map((c) => ({ Key: c.Key }));
    if (keys.length > 0)
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
