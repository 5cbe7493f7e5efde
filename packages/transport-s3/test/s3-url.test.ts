import { KluisError } from '@kluis/core';
import { describe, expect, it } from 'vitest';
import { parseS3Url, s3ClientConfigFromEnv, s3Transport, s3TransportFromUrl } from '../src/index';
import { bytes, sameBytes } from './_helpers';
import { createBucket, server, testClient } from './_server';

describe('parseS3Url', () => {
  it.each([
    ['s3:http://127.0.0.1:7480/bucket/prefix', 'http://127.0.0.1:7480', 'bucket', 'prefix'],
    ['s3:http://127.0.0.1:7480/bucket', 'http://127.0.0.1:7480', 'bucket', ''],
    ['s3:https://minio.example.org/backups/a/b/', 'https://minio.example.org', 'backups', 'a/b'],
    ['s3:s3.amazonaws.com/my-bucket/laptop', 'https://s3.amazonaws.com', 'my-bucket', 'laptop'],
    ['s3:s3.eu-west-1.amazonaws.com/my-bucket', 'https://s3.eu-west-1.amazonaws.com', 'my-bucket', ''],
  ])('%s', (url, endpoint, bucket, prefix) => {
    expect(parseS3Url(url)).toEqual({ endpoint, bucket, prefix });
  });

  it.each([
    'http://127.0.0.1/bucket',
    's3://bucket/prefix',
    's3:http://127.0.0.1:7480',
    's3:http://127.0.0.1:7480/',
    's3:http://user:pw@127.0.0.1/bucket',
    's3:http://127.0.0.1/b?x=1',
    's3:http://[::1/bucket',
  ])('rejects %s with INVALID_CONFIG', (url) => {
    expect(() => parseS3Url(url)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});

describe('s3ClientConfigFromEnv', () => {
  const env = {
    AWS_ACCESS_KEY_ID: 'id',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_DEFAULT_REGION: 'eu-central-1',
  };

  it('a custom endpoint gets path-style addressing and the keys', () => {
    const c = s3ClientConfigFromEnv(parseS3Url('s3:http://127.0.0.1:7480/b'), env);
    expect(c).toMatchObject({
      endpoint: 'http://127.0.0.1:7480',
      forcePathStyle: true,
      region: 'eu-central-1',
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
  });

  it('AWS gets no custom endpoint, the region from the host, and the SDK chain without keys', () => {
    const c = s3ClientConfigFromEnv(parseS3Url('s3:s3.eu-west-1.amazonaws.com/b'), {});
    expect(c.endpoint).toBeUndefined();
    expect(c.region).toBe('eu-west-1');
    expect(c.credentials).toBeUndefined();
  });
});

describe('s3TransportFromUrl', () => {
  it('opens an s3: location on the test server with AWS environment variables', async () => {
    const s = server();
    const setup = testClient();
    const bucket = await createBucket(setup);
    const env = { AWS_ACCESS_KEY_ID: s.accessKeyId, AWS_SECRET_ACCESS_KEY: s.secretAccessKey };
    const t = await s3TransportFromUrl(`s3:${s.endpoint}/${bucket}/repo/one`, { env });
    expect(t.name).toBe(`s3:${bucket}/repo/one`);
    await t.put('config', bytes(100), { ifAbsent: true });
    const seen = s3Transport({ client: setup, bucket, prefix: 'repo' });
    expect(sameBytes(await seen.get('one/config'), bytes(100))).toBe(true);
    setup.destroy();
  });

  it('rejects a bad location with INVALID_CONFIG', async () => {
    const e = await s3TransportFromUrl('s3:').catch((x: unknown) => x);
    expect(KluisError.is(e, 'INVALID_CONFIG')).toBe(true);
  });
});

describe('options', () => {
  const client = testClient();
  it.each([
    [{ bucket: '' }, TypeError],
    [{ bucket: 'b', prefix: '../x' }, TypeError],
    [{ bucket: 'b', partSize: 1024 }, RangeError],
    [{ bucket: 'b', multipartThreshold: 0 }, RangeError],
    [{ bucket: 'b', objectLock: { mode: 'GOVERNANCE' as const, retainDays: 0 } }, RangeError],
  ])('%o is refused', (options, error) => {
    expect(() => s3Transport({ client, ...options })).toThrow(error);
  });

  it('names the transport after bucket and prefix; strips slashes', () => {
    expect(s3Transport({ client, bucket: 'b', prefix: '/a/b/' }).name).toBe('s3:b/a/b');
    expect(s3Transport({ client, bucket: 'b' }).name).toBe('s3:b');
  });
});
