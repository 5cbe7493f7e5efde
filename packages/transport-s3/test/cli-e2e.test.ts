import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKluis } from '../../../examples/client/test/_run.ts';
import { createBucket, server, testClient } from './_server.ts';

let dir: string;
let bucket: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-s3-cli-'));
  bucket = await createBucket(testClient());
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function kluis(args: string[]) {
  const s = server();
  return runKluis(args, {
    KLUIS_REPOSITORY: `s3:${s.endpoint}/${bucket}/cli/laptop`,
    KLUIS_PASSWORD: 'repository secret',
    AWS_ACCESS_KEY_ID: s.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s.secretAccessKey,
    AWS_REGION: s.region,
  });
}

describe('the kluis CLI with an s3: repository on a real S3 server', () => {
  it('backs up a real tree and restores it byte for byte', async () => {
    const src = join(dir, 'src');
    await mkdir(join(src, 'nested'), { recursive: true });
    await writeFile(join(src, 'notes.txt'), 'to the bucket\n'.repeat(5000));
    await writeFile(
      join(src, 'nested', 'data.bin'),
      new Uint8Array(2_500_000).map((_, i) => (i * 2654435761) >>> 24),
    );
    expect((await kluis(['init', '--scrypt-n', '1024'])).code).toBe(0);
    const first = await kluis(['backup', src, '--json']);
    expect(first.code, first.err).toBe(0);
    const again = JSON.parse((await kluis(['backup', src, '--json'])).out);
    expect(again.summary.bytesRead).toBe(0);
    const target = join(dir, 'restore');
    const restored = await kluis(['restore', 'latest', '--target', target, '--verify']);
    expect(restored.code, restored.err).toBe(0);
    expect(await readFile(join(target, 'src', 'notes.txt'), 'utf8')).toBe('to the bucket\n'.repeat(5000));
    const expected = Buffer.from(new Uint8Array(2_500_000).map((_, i) => (i * 2654435761) >>> 24));
    expect(Buffer.compare(await readFile(join(target, 'src', 'nested', 'data.bin')), expected)).toBe(0);
    expect((await kluis(['check', '--read-data'])).code).toBe(0);
    expect((await kluis(['snapshots'])).code).toBe(0);
  });
});
