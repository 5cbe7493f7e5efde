import {
  DeleteObjectCommand,
  GetObjectRetentionCommand,
  ListObjectVersionsCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Transport } from '../src/index';
import { bytes } from './_helpers';
import { createBucket, testClient } from './_server';

// Object Lock on radosgw 16: the bucket is created with Object Lock enabled (which turns on
// versioning); the transport gives every object a retain-until date.
const client = testClient();
let bucket = '';
const DAY = 24 * 60 * 60 * 1000;

const retention = (key: string) => client.send(new GetObjectRetentionCommand({ Bucket: bucket, Key: key }));
const versionsOf = async (key: string) => {
  const out = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  return (out.Versions ?? []).filter((v) => v.Key === key).map((v) => v.VersionId ?? '');
};
const deleteVersion = (key: string, VersionId: string, bypass = false) =>
  client.send(
    new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId, BypassGovernanceRetention: bypass }),
  );

beforeAll(async () => {
  bucket = await createBucket(client, true);
});
afterAll(() => client.destroy());

describe('object lock', () => {
  it('governance: every object gets mode and retain-until = now + retainDays; locks/ are exempt', async () => {
    const t = s3Transport({
      client,
      bucket,
      prefix: 'gov',
      objectLock: { mode: 'GOVERNANCE', retainDays: 2 },
    });
    const before = Date.now();
    await t.put('data/a', bytes(100));
    const r = (await retention('gov/data/a')).Retention;
    expect(r?.Mode).toBe('GOVERNANCE');
    const until = r?.RetainUntilDate?.getTime() ?? 0;
    expect(until).toBeGreaterThanOrEqual(before + 2 * DAY - 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + 2 * DAY + 1000);
    await t.put('locks/l', bytes(10));
    await expect(retention('gov/locks/l')).rejects.toThrow();
  });

  it('delete only hides a locked object; its version cannot be deleted until the date', async () => {
    const t = s3Transport({
      client,
      bucket,
      prefix: 'gov2',
      objectLock: { mode: 'GOVERNANCE', retainDays: 1 },
    });
    await t.put('data/a', bytes(100));
    await t.delete('data/a');
    expect(await t.stat('data/a')).toBeUndefined();
    const [version = ''] = await versionsOf('gov2/data/a');
    await expect(deleteVersion('gov2/data/a', version)).rejects.toThrow(/object lock|AccessDenied/);
    await deleteVersion('gov2/data/a', version, true); // governance: a privileged bypass still works
    expect(await versionsOf('gov2/data/a')).toEqual([]);
  });

  it('compliance: not even a bypass deletes the version', async () => {
    const t = s3Transport({
      client,
      bucket,
      prefix: 'comp',
      objectLock: { mode: 'COMPLIANCE', retainDays: 1 },
    });
    await t.put('data/a', bytes(100));
    const [version = ''] = await versionsOf('comp/data/a');
    await expect(deleteVersion('comp/data/a', version, true)).rejects.toThrow(/object lock|AccessDenied/);
  });
});
