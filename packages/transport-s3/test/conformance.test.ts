import { describeTransportConformance } from '@kluis/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Transport } from '../src/index';
import { createBucket, emptyPrefix, testClient } from './_server';

// The published transport conformance suite, against a real Ceph radosgw: each case gets a fresh
// prefix of one bucket, emptied afterwards.
const client = testClient();
let bucket = '';
let cases = 0;

beforeAll(async () => {
  bucket = await createBucket(client);
});
afterAll(() => client.destroy());

describeTransportConformance(
  {
    async setup() {
      const transport = s3Transport({ client, bucket, prefix: `case-${cases++}` });
      await transport.probe();
      return transport;
    },
    async teardown(transport) {
      await emptyPrefix(client, bucket, `${transport.name.split('/').slice(1).join('/')}/`);
    },
  },
  { describe, it, expect },
  // 1001 keys: one more than a ListObjectsV2 page, so pagination is exercised at the lowest cost.
  { name: 's3Transport on radosgw', manyKeys: 1001 },
);
