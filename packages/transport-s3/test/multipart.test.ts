import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Transport } from '../src/index';
import { bytes, kluisFailure, MiB, sameBytes } from './_helpers';
import { createBucket, testClient } from './_server';

const client = testClient();
let bucket = '';
const etag = async (key: string) =>
  (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag ?? '';

beforeAll(async () => {
  bucket = await createBucket(client);
});
afterAll(() => client.destroy());

describe('multipart upload', () => {
  const options = () => ({ client, bucket, multipartThreshold: 5 * MiB, partSize: 5 * MiB });

  it('a body above the threshold goes up in parts and round-trips, ranges across part boundaries', async () => {
    const t = s3Transport({ ...options(), prefix: 'mp1' });
    const body = bytes(12 * MiB + 1, 3);
    await t.put('data/big', body);
    expect(await etag('mp1/data/big')).toMatch(/-3"$/);
    expect(await t.stat('data/big')).toEqual({ key: 'data/big', size: body.length });
    expect(sameBytes(await t.get('data/big'), body)).toBe(true);
    const offset = 5 * MiB - 10;
    const range = await t.get('data/big', { range: { offset, length: 5 * MiB + 20 } });
    expect(sameBytes(range, body.subarray(offset, offset + 5 * MiB + 20))).toBe(true);
  });

  it('a create-only write above the threshold stays one atomic PutObject', async () => {
    const t = s3Transport({ ...options(), prefix: 'mp2', conditionalPut: 'native' });
    const body = bytes(6 * MiB, 4);
    await t.put('data/big', body, { ifAbsent: true });
    expect(await etag('mp2/data/big')).not.toContain('-');
    expect((await kluisFailure(t.put('data/big', bytes(6 * MiB, 5), { ifAbsent: true }))).code).toBe(
      'ALREADY_EXISTS',
    );
    expect(sameBytes(await t.get('data/big'), body)).toBe(true);
  });

  it('parts go up in parallel and the result is the same', async () => {
    const t = s3Transport({ ...options(), prefix: 'mp3', maxConcurrency: 3 });
    const body = bytes(16 * MiB, 6);
    await t.put('data/big', body);
    expect(await etag('mp3/data/big')).toMatch(/-4"$/);
    expect(sameBytes(await t.get('data/big'), body)).toBe(true);
  });
});
