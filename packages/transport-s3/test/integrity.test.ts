import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentMd5 } from '../src/_content-md5';
import { s3Transport } from '../src/index';
import { bytes, kluisFailure, MiB, sameBytes } from './_helpers';
import { createBucket, testClient } from './_server';

// Content-MD5 is what makes radosgw refuse a body damaged on its way: these tests damage the body
// inside the client, after the transport computed the checksum, and check nothing is stored.
const direct = testClient();
const clients: S3Client[] = [];
let bucket = '';

interface MutableRequest {
  body?: unknown;
}

/** A client whose requests get one bit of their body flipped at `step` (before or after signing). */
function tamperingClient(after: 'build' | 'signing'): S3Client {
  const client = testClient();
  clients.push(client);
  const flip = (next: (a: unknown) => Promise<unknown>) => async (args: { request?: unknown }) => {
    const request = args.request as MutableRequest;
    if (request.body instanceof Uint8Array && request.body.length > 0) {
      const damaged = request.body.slice();
      damaged[damaged.length >> 1] = (damaged[damaged.length >> 1] ?? 0) ^ 1;
      request.body = damaged;
    }
    return next(args);
  };
  const stack = client.middlewareStack as unknown as {
    add(m: typeof flip, o: object): void;
    addRelativeTo(m: typeof flip, o: object): void;
  };
  if (after === 'build') stack.add(flip, { step: 'build', name: 'flipBit', priority: 'low' });
  else stack.addRelativeTo(flip, { name: 'flipBit', relation: 'after', toMiddleware: 'awsAuthMiddleware' });
  return client;
}

const storedKeys = async (prefix: string) => {
  const keys: string[] = [];
  for await (const o of s3Transport({ client: direct, bucket, prefix }).list('')) keys.push(o.key);
  return keys;
};

beforeAll(async () => {
  bucket = await createBucket(direct);
});
afterAll(() => {
  for (const c of [direct, ...clients]) c.destroy();
});

describe('Content-MD5', () => {
  const nodeMd5 = (b: Uint8Array) => createHash('md5').update(b).digest();

  it('the portable MD5 agrees with node:crypto', () => {
    for (const n of [0, 1, 55, 56, 64, 1000, 65537]) {
      expect(contentMd5(bytes(n, n + 1))).toBe(nodeMd5(bytes(n, n + 1)).toString('base64'));
    }
  });

  it('uses the md5 option: node:crypto works, a wrong digest is refused', async () => {
    const t = s3Transport({ client: direct, bucket, prefix: 'i0', md5: nodeMd5 });
    await t.put('data/a', bytes(1000));
    expect(sameBytes(await t.get('data/a'), bytes(1000))).toBe(true);
    const wrong = s3Transport({ client: direct, bucket, prefix: 'i0', md5: () => new Uint8Array(16) });
    expect((await kluisFailure(wrong.put('data/b', bytes(1000)))).code).toBe('INTEGRITY');
  });

  it('a body damaged before signing is refused (INTEGRITY, retryable) and not stored', async () => {
    const t = s3Transport({ client: tamperingClient('build'), bucket, prefix: 'i1' });
    const e = await kluisFailure(t.put('data/a', bytes(64 * 1024)));
    expect([e.code, e.retryable]).toEqual(['INTEGRITY', true]);
    expect(e.message).toContain('BadDigest');
    expect(await storedKeys('i1')).toEqual([]);
  });

  it('control: the same damage without Content-MD5 is stored silently', async () => {
    const body = bytes(64 * 1024);
    await tamperingClient('build').send(new PutObjectCommand({ Bucket: bucket, Key: 'i2/raw', Body: body }));
    const out = await direct.send(new GetObjectCommand({ Bucket: bucket, Key: 'i2/raw' }));
    const stored = await out.Body?.transformToByteArray();
    expect(stored?.length).toBe(body.length);
    expect(sameBytes(stored, body)).toBe(false);
  });

  it('a body damaged after signing is refused too, and not stored', async () => {
    const t = s3Transport({ client: tamperingClient('signing'), bucket, prefix: 'i3' });
    const e = await kluisFailure(t.put('data/a', bytes(64 * 1024)));
    expect(e.code).toBe('INTEGRITY');
    expect(await storedKeys('i3')).toEqual([]);
  });

  it('a damaged multipart part is refused, the upload aborted, nothing stored', async () => {
    const options = { bucket, prefix: 'i4', multipartThreshold: 5 * MiB, partSize: 5 * MiB };
    const t = s3Transport({ ...options, client: tamperingClient('build') });
    expect((await kluisFailure(t.put('data/big', bytes(11 * MiB)))).code).toBe('INTEGRITY');
    expect(await storedKeys('i4')).toEqual([]);
    const uploads = await direct.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'i4/' }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });
});
