import { lstat, mkdir, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Transport } from '@kluis/core';
import { localTransport } from '@kluis/core/node';
import type { StorageConfig } from './config.ts';

/** The objects of every account: a transport per repository, and the bytes used per area. */
export interface Storage {
  /** A short description for the server's log. */
  readonly name: string;
  /** The transport of repository `repo` (`alice/laptop`), rooted at that repository. */
  repository(repo: string): Transport;
  /** The bytes stored in an account's area (all its repositories), by listing the storage. */
  areaUsage(area: string): Promise<number>;
}

function cached(make: (path: string) => Transport): (path: string) => Transport {
  const transports = new Map<string, Transport>();
  return (path) => {
    let t = transports.get(path);
    if (!t) {
      t = make(path);
      transports.set(path, t);
    }
    return t;
  };
}

async function sumSizes(t: Transport): Promise<number> {
  let total = 0;
  for await (const o of t.list('')) total += o.size;
  return total;
}

/** Bytes in the regular files below `dir`, skipping dot-files (unfinished writes) and links. */
async function diskUsage(dir: string): Promise<number> {
  let handle: Awaited<ReturnType<typeof opendir>>;
  try {
    handle = await opendir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  let total = 0;
  for await (const entry of handle) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await diskUsage(path);
    else if (entry.isFile()) total += (await lstat(path)).size;
  }
  return total;
}

/**
 * Opens the configured storage. Local disk: each repository is a directory
 * `<root>/<account>/<repo…>` (restic's layout inside). S3: each repository is the key prefix
 * `<prefix>/<account>/<repo…>/` in one bucket, located by a restic-style `s3:` URL; credentials
 * and region come from the usual AWS environment variables (`AWS_ACCESS_KEY_ID`, …).
 *
 * @example
 * ```ts
 * const storage = await openStorage({ kind: 'local', root: '/srv/kluis/storage' });
 * const repo = storage.repository('alice/laptop');
 * ```
 */
export async function openStorage(config: StorageConfig): Promise<Storage> {
  if (config.kind === 'local') {
    const root = config.root;
    // Owner-only: no other local user lists the accounts' areas or reads their objects.
    await mkdir(root, { recursive: true, mode: 0o700 });
    const repository = cached((path) => localTransport({ root: join(root, ...path.split('/')) }));
    return {
      name: `local:${root}`,
      repository,
      areaUsage: (area) => diskUsage(join(root, area)),
    };
  }
  const [{ S3Client }, s3] = await Promise.all([import('@aws-sdk/client-s3'), import('@kluis/transport-s3')]);
  const location = s3.parseS3Url(config.url);
  const client = new S3Client(s3.s3ClientConfigFromEnv(location, process.env));
  const base = location.prefix ? `${location.prefix.replace(/\/+$/, '')}/` : '';
  const at = (path: string) => s3.s3Transport({ client, bucket: location.bucket, prefix: `${base}${path}` });
  return {
    name: `s3:${location.endpoint}/${location.bucket}/${base}`,
    repository: cached(at),
    areaUsage: (area) => sumSizes(at(area)),
  };
}
