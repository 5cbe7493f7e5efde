import type { ClientRequest } from 'node:http';
import { Readable } from 'node:stream';
import { ListMultipartUploadsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Transport } from '../src/index';
import { type FaultProxy, startFaultProxy } from './_fault-proxy';
import { bytes, kluisFailure, MiB, sameBytes } from './_helpers';
import { createBucket, server, testClient } from './_server';

// Real connection faults: a TCP proxy between the client and radosgw resets the connection in the
// middle of a request body, or the caller aborts while bytes are flowing.
const direct = testClient();
const check = (prefix: string) => s3Transport({ client: direct, bucket, prefix });
let bucket = '';
let proxy: FaultProxy;
const clients: S3Client[] = [];

/** A client through the proxy, with its own connections (byte counts start at zero). */
function viaProxy(): S3Client {
  const client = testClient({ endpoint: proxy.endpoint });
  clients.push(client);
  return client;
}

/**
 * A client with a middleware that, on the `nth` request carrying a body, sends half of the body
 * and then drops the connection (the request is destroyed with ECONNRESET), after signing.
 */
function droppingClient(nth: number): S3Client {
  const client = testClient();
  clients.push(client);
  let seen = 0;
  const drop = (next: (a: unknown) => Promise<unknown>) => async (args: { request?: unknown }) => {
    const request = args.request as { body?: unknown };
    if (request.body instanceof Uint8Array && request.body.length > 1 && ++seen === nth) {
      const half = request.body.subarray(0, request.body.length >> 1);
      const reset = Object.assign(new Error('connection dropped by the test'), { code: 'ECONNRESET' });
      // The Node handler pipes a Readable body into the request: take over that pipe.
      request.body = Object.assign(new Readable({ read() {} }), {
        pipe(destination: ClientRequest) {
          destination.write(half, () => destination.destroy(reset));
          return destination;
        },
      });
    }
    return next(args);
  };
  const stack = client.middlewareStack as unknown as { addRelativeTo(m: typeof drop, o: object): void };
  stack.addRelativeTo(drop, { name: 'dropConnection', relation: 'after', toMiddleware: 'awsAuthMiddleware' });
  return client;
}

async function openUploads(prefix: string): Promise<number> {
  const out = await direct.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
  return out.Uploads?.length ?? 0;
}

beforeAll(async () => {
  bucket = await createBucket(direct);
  proxy = await startFaultProxy(server().endpoint);
});
afterAll(async () => {
  for (const c of [direct, ...clients]) c.destroy();
  await proxy.close();
});

describe('connection cut mid-upload', () => {
  it('fails UNAVAILABLE (retryable) and stores nothing', async () => {
    const t = s3Transport({ client: viaProxy(), bucket, prefix: 'cut1', conditionalPut: 'native' });
    proxy.cutUploadAfter(1 * MiB);
    const e = await kluisFailure(t.put('data/a', bytes(4 * MiB), { ifAbsent: true }));
    expect(proxy.cuts).toBe(1);
    expect([e.code, e.retryable]).toEqual(['UNAVAILABLE', true]);
    expect(await check('cut1').stat('data/a')).toBeUndefined();
  });

  it('leaves the previous version of an overwritten object intact', async () => {
    const before = bytes(2 * MiB, 7);
    await check('cut2').put('config', before);
    const t = s3Transport({ client: viaProxy(), bucket, prefix: 'cut2' });
    proxy.cutUploadAfter(1 * MiB);
    expect((await kluisFailure(t.put('config', bytes(2 * MiB, 8)))).code).toBe('UNAVAILABLE');
    expect(sameBytes(await check('cut2').get('config'), before)).toBe(true);
  });

  it('aborts a multipart upload on the server: no object, no stored parts', async () => {
    const options = { bucket, prefix: 'cut3', multipartThreshold: 5 * MiB, partSize: 5 * MiB };
    const t = s3Transport({ ...options, client: viaProxy(), maxConcurrency: 1 });
    proxy.cutUploadAfter(7 * MiB);
    expect((await kluisFailure(t.put('data/big', bytes(12 * MiB)))).code).toBe('UNAVAILABLE');
    expect(await check('cut3').stat('data/big')).toBeUndefined();
    expect(await openUploads('cut3/')).toBe(0);
  });

  it('without Content-MD5 a cut body is still never stored (radosgw checks Content-Length)', async () => {
    const client = viaProxy();
    proxy.cutUploadAfter(1 * MiB);
    const raw = client.send(new PutObjectCommand({ Bucket: bucket, Key: 'cut4/raw', Body: bytes(3 * MiB) }));
    await expect(raw).rejects.toThrow();
    const listed: string[] = [];
    for await (const o of check('cut4').list('')) listed.push(o.key);
    expect(listed).toEqual([]);
  });
});

describe('connection dropped by a client middleware mid-upload', () => {
  it('a single upload fails UNAVAILABLE and stores nothing', async () => {
    const t = s3Transport({ client: droppingClient(1), bucket, prefix: 'drop1' });
    const e = await kluisFailure(t.put('data/a', bytes(1 * MiB)));
    expect([e.code, e.retryable]).toEqual(['UNAVAILABLE', true]);
    expect(await check('drop1').stat('data/a')).toBeUndefined();
  });

  it('a multipart upload dropped in its second part is aborted: no object, no parts', async () => {
    const options = { bucket, prefix: 'drop2', multipartThreshold: 5 * MiB, partSize: 5 * MiB };
    const t = s3Transport({ ...options, client: droppingClient(2), maxConcurrency: 1 });
    expect((await kluisFailure(t.put('data/big', bytes(11 * MiB)))).code).toBe('UNAVAILABLE');
    expect(await check('drop2').stat('data/big')).toBeUndefined();
    expect(await openUploads('drop2/')).toBe(0);
  });
});

describe('abort', () => {
  it('aborting mid-upload rejects ABORTED and stores nothing', async () => {
    const t = s3Transport({ client: viaProxy(), bucket, prefix: 'abort1' });
    const controller = new AbortController();
    const put = t.put('data/a', bytes(24 * MiB), { signal: controller.signal });
    await proxy.whenUploaded(1 * MiB);
    controller.abort();
    expect((await kluisFailure(put)).code).toBe('ABORTED');
    expect(await check('abort1').stat('data/a')).toBeUndefined();
  });

  it('aborting a multipart upload aborts it on the server', async () => {
    const options = { bucket, prefix: 'abort2', multipartThreshold: 5 * MiB, partSize: 5 * MiB };
    const t = s3Transport({ ...options, client: viaProxy(), maxConcurrency: 1 });
    const controller = new AbortController();
    const put = t.put('data/big', bytes(12 * MiB), { signal: controller.signal });
    await proxy.whenUploaded(6 * MiB);
    controller.abort();
    expect((await kluisFailure(put)).code).toBe('ABORTED');
    expect(await check('abort2').stat('data/big')).toBeUndefined();
    expect(await openUploads('abort2/')).toBe(0);
  });

  it('aborting mid-download rejects ABORTED', async () => {
    await check('abort3').put('data/a', bytes(16 * MiB));
    const t = s3Transport({ client: viaProxy(), bucket, prefix: 'abort3' });
    const controller = new AbortController();
    const get = t.get('data/a', { signal: controller.signal });
    await proxy.whenDownloaded(1 * MiB);
    controller.abort();
    expect((await kluisFailure(get)).code).toBe('ABORTED');
  });

  it('an already aborted signal never reaches the network', async () => {
    const t = s3Transport({ client: viaProxy(), bucket, prefix: 'abort4' });
    const signal = AbortSignal.abort();
    for (const call of [t.put('a', bytes(10), { signal }), t.get('a', { signal }), t.stat('a', { signal })]) {
      expect((await kluisFailure(call)).code).toBe('ABORTED');
    }
    expect(await check('abort4').stat('a')).toBeUndefined();
  });
});
