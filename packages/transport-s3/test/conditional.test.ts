import { ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { KluisError } from '@kluis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Transport } from '../src/index';
import { bytes, kluisFailure, sameBytes } from './_helpers';
import { createBucket, testClient } from './_server';

const client = testClient();
let bucket = '';
let versioned = '';

/** Counts the PutObject requests a client sends. */
function countingClient(): { client: S3Client; puts: () => number } {
  const counted = testClient();
  let puts = 0;
  const stack = counted.middlewareStack as unknown as { add(m: unknown, o: object): void };
  stack.add(
    (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
      if (context.commandName === 'PutObjectCommand') puts++;
      return next(args);
    },
    { step: 'initialize', name: 'countPuts' },
  );
  return { client: counted, puts: () => puts };
}

beforeAll(async () => {
  bucket = await createBucket(client);
  versioned = await createBucket(client, true);
});
afterAll(() => client.destroy());

describe('conditional writes', () => {
  it('auto: probes once, finds If-None-Match honoured, and leaves no probe object', async () => {
    const { client: counted, puts } = countingClient();
    const t = s3Transport({ client: counted, bucket, prefix: 'auto' });
    expect(t.capabilities.conditionalPut).toBe(false);
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => t.put(`data/${i}`, bytes(10, i), { ifAbsent: true })),
    );
    expect(t.capabilities.conditionalPut).toBe(true);
    expect(puts()).toBe(2 + 5);
    const versions = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'auto/.' }));
    expect([...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]).toEqual([]);
    counted.destroy();
  });

  it('of 16 concurrent create-only writes of one key exactly one wins, and its bytes are stored', async () => {
    const t = s3Transport({ client, bucket, prefix: 'race', conditionalPut: 'native' });
    const bodies = Array.from({ length: 16 }, (_, i) => bytes(4096, i + 1));
    const results = await Promise.allSettled(bodies.map((b) => t.put('snapshots/x', b, { ifAbsent: true })));
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(KluisError.is(r.reason, 'ALREADY_EXISTS')).toBe(true);
    }
    expect(sameBytes(await t.get('snapshots/x'), bodies[winners[0] ?? -1])).toBe(true);
  });

  it('emulate: HEAD then PUT, reported as not atomic', async () => {
    const t = s3Transport({ client, bucket, prefix: 'emulate', conditionalPut: 'emulate' });
    expect((await t.probe()).conditionalPut).toBe(false);
    await t.put('keys/a', bytes(10, 1), { ifAbsent: true });
    const e = await kluisFailure(t.put('keys/a', bytes(10, 2), { ifAbsent: true }));
    expect([e.code, e.retryable]).toEqual(['ALREADY_EXISTS', false]);
    expect(sameBytes(await t.get('keys/a'), bytes(10, 1))).toBe(true);
  });

  it('auto on a versioned bucket: radosgw 16 ignores If-None-Match there, so emulate', async () => {
    const t = s3Transport({ client, bucket: versioned, prefix: 'auto' });
    expect((await t.probe()).conditionalPut).toBe(false);
    await t.put('data/a', bytes(10, 1), { ifAbsent: true });
    expect((await kluisFailure(t.put('data/a', bytes(10, 2), { ifAbsent: true }))).code).toBe(
      'ALREADY_EXISTS',
    );
    expect(sameBytes(await t.get('data/a'), bytes(10, 1))).toBe(true);
  });
});
