import { createServer } from 'node:net';
import { KluisError } from '@kluis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toKluisError } from '../src/_errors';
import { s3Transport } from '../src/index';
import { bytes, kluisFailure } from './_helpers';
import { createBucket, server, testClient } from './_server';

const client = testClient();
let bucket = '';
beforeAll(async () => {
  bucket = await createBucket(client);
});
afterAll(() => client.destroy());

/** An SDK-like error: S3 error code, HTTP status, or a Node network code. */
const sdkError = (name: string, status?: number, code?: string) =>
  Object.assign(new Error('UnknownError'), {
    name,
    ...(status ? { $metadata: { httpStatusCode: status } } : {}),
    ...(code ? { code } : {}),
  });

describe('error mapping', () => {
  it.each([
    ['NoSuchKey', 404, undefined, 'NOT_FOUND', false],
    ['NotFound', 404, undefined, 'NOT_FOUND', false],
    ['PreconditionFailed', 412, undefined, 'ALREADY_EXISTS', false],
    ['AccessDenied', 403, undefined, 'AUTH', false],
    ['InvalidAccessKeyId', 403, undefined, 'AUTH', false],
    ['SignatureDoesNotMatch', 403, undefined, 'AUTH', false],
    ['QuotaExceeded', 403, undefined, 'QUOTA', false],
    ['InsufficientStorage', 507, undefined, 'QUOTA', false],
    ['SlowDown', 503, undefined, 'UNAVAILABLE', true],
    ['ServiceUnavailable', 503, undefined, 'UNAVAILABLE', true],
    ['InternalError', 500, undefined, 'UNAVAILABLE', true],
    ['UnknownError', 502, undefined, 'UNAVAILABLE', true],
    ['NotImplemented', 501, undefined, 'UNAVAILABLE', false],
    ['RequestTimeout', 400, undefined, 'TIMEOUT', true],
    ['TimeoutError', undefined, 'ECONNRESET', 'UNAVAILABLE', true],
    ['TimeoutError', undefined, 'ETIMEDOUT', 'TIMEOUT', true],
    ['Error', undefined, 'ECONNREFUSED', 'UNAVAILABLE', true],
    ['BadDigest', 400, undefined, 'INTEGRITY', true],
    ['InvalidRange', 416, undefined, 'INVALID_DATA', false],
    ['NoSuchBucket', 404, undefined, 'INVALID_CONFIG', false],
    ['AbortError', undefined, undefined, 'ABORTED', false],
    ['MalformedXML', 400, undefined, 'PROTOCOL', false],
  ] as const)('%s (HTTP %s, %s) -> %s, retryable %s', (name, status, code, expected, retryable) => {
    const e = toKluisError(sdkError(name, status, code), 's3 get data/x');
    expect([e.code, e.retryable]).toEqual([expected, retryable]);
    expect(e.message).toContain('s3 get data/x');
  });

  it('an aborted signal wins over whatever the SDK threw', () => {
    const e = toKluisError(sdkError('Error', undefined, 'ECONNRESET'), 'x', AbortSignal.abort());
    expect(e.code).toBe('ABORTED');
  });
});

describe('errors from a real server', () => {
  const transport = (extra: Parameters<typeof testClient>[0] = {}, b = bucket) =>
    s3Transport({ client: testClient({ ...extra }), bucket: b, prefix: 'errors' });

  it('a wrong secret is AUTH, not retryable', async () => {
    const { accessKeyId } = server();
    const t = transport({ credentials: { accessKeyId, secretAccessKey: 'wrong' } });
    const e = await kluisFailure(t.put('config', bytes(10)));
    expect([e.code, e.retryable]).toEqual(['AUTH', false]);
    expect(e.message).toContain('SignatureDoesNotMatch');
  });

  it('an unknown access key is AUTH', async () => {
    const t = transport({ credentials: { accessKeyId: 'nobody', secretAccessKey: 'x' } });
    expect((await kluisFailure(t.get('config'))).code).toBe('AUTH');
  });

  it('a missing bucket is INVALID_CONFIG', async () => {
    const t = transport({}, 'kluis-no-such-bucket');
    const e = await kluisFailure(t.get('config'));
    expect(e.code).toBe('INVALID_CONFIG');
    expect(e.message).toContain('bucket');
  });

  it('a missing object: get NOT_FOUND, stat undefined, delete succeeds', async () => {
    const t = transport();
    expect((await kluisFailure(t.get('data/missing'))).code).toBe('NOT_FOUND');
    expect(await t.stat('data/missing')).toBeUndefined();
    await t.delete('data/missing');
  });

  it('a refused connection is UNAVAILABLE and retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const e = await kluisFailure(transport({ endpoint: `http://127.0.0.1:${port}` }).stat('config'));
    expect([e.code, e.retryable]).toEqual(['UNAVAILABLE', true]);
  });

  it('objectLock on a bucket without Object Lock is INVALID_CONFIG', async () => {
    const t = s3Transport({
      client,
      bucket,
      prefix: 'nolock',
      objectLock: { mode: 'GOVERNANCE', retainDays: 1 },
    });
    const e = await kluisFailure(t.put('data/a', bytes(10)));
    expect(e.code).toBe('INVALID_CONFIG');
    expect(KluisError.is(e.cause)).toBe(true);
  });
});
