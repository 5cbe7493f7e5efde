import type { S3Client } from '@aws-sdk/client-s3';
import { assertPrefix } from '@kluis/core';

const MiB = 1024 * 1024;
/** The smallest part S3 accepts (all parts but the last). */
const MIN_PART = 5 * MiB;
/** The largest body one PutObject may carry. */
export const MAX_SINGLE_PUT = 5 * 1024 * MiB;

/**
 * S3 Object Lock settings: every object written gets a retain-until date.
 *
 * @example
 * ```ts
 * const objectLock: S3ObjectLock = { mode: 'GOVERNANCE', retainDays: 30 };
 * const transport = s3Transport({ client, bucket: 'locked-backups', objectLock });
 * ```
 */
export interface S3ObjectLock {
  /**
   * `GOVERNANCE`: users with `s3:BypassGovernanceRetention` can still delete a version early.
   * `COMPLIANCE`: nobody can, not even the account root, until the date passes.
   */
  mode: 'GOVERNANCE' | 'COMPLIANCE';
  /** Days from the time of each write until the object version may be deleted. */
  retainDays: number;
  /**
   * Which keys get a retention date. Default: every key except `locks/…` (locks must be removable).
   */
  appliesTo?: (key: string) => boolean;
}

/**
 * Options of `s3Transport`.
 *
 * @example
 * ```ts
 * const options: S3TransportOptions = { client, bucket: 'backups', prefix: 'laptop', conditionalPut: 'auto' };
 * const transport = s3Transport(options);
 * ```
 */
export interface S3TransportOptions {
  /** A configured client; see the README for the recommended settings. */
  client: S3Client;
  /** The bucket; it must exist. */
  bucket: string;
  /** Key prefix inside the bucket, e.g. `backups/laptop`; objects go to `<prefix>/<key>`. */
  prefix?: string;
  /**
   * How `put(…, { ifAbsent: true })` is done. `native`: `If-None-Match: *` (atomic). `emulate`:
   * HEAD then PUT (not atomic). `auto` (default): probe the bucket once, on first use or when
   * `S3Transport.probe` is called, and use `native` only if the server really refuses the
   * second of two writes.
   */
  conditionalPut?: 'auto' | 'native' | 'emulate';
  /** Object Lock retention for written objects; the bucket must have Object Lock enabled. */
  objectLock?: S3ObjectLock;
  /** Bodies larger than this use a multipart upload. Default 64 MiB, at least 5 MiB. */
  multipartThreshold?: number;
  /** Part size of multipart uploads. Default 16 MiB, at least 5 MiB. */
  partSize?: number;
  /** Reported as `capabilities.maxConcurrency`, also the parts in flight per upload. Default 16. */
  maxConcurrency?: number;
  /**
   * The MD5 used for `Content-MD5`. Default: the portable one from `@noble/hashes`, which runs
   * anywhere; in Node, `(b) => createHash('md5').update(b).digest()` from `node:crypto` is several
   * times faster and worth passing for large uploads.
   */
  md5?: (body: Uint8Array) => Uint8Array;
}

/** Options after defaults and checks. */
export interface ResolvedOptions {
  client: S3Client;
  bucket: string;
  /** `''` or the prefix with a trailing `/`. */
  root: string;
  conditionalPut: 'auto' | 'native' | 'emulate';
  objectLock: Required<S3ObjectLock> | undefined;
  multipartThreshold: number;
  partSize: number;
  maxConcurrency: number;
  md5: ((body: Uint8Array) => Uint8Array) | undefined;
}

/** Applies defaults; bad values are a `TypeError` / `RangeError`, as programmer mistakes are. */
export function resolveOptions(o: S3TransportOptions): ResolvedOptions {
  if (typeof o.client?.send !== 'function') throw new TypeError('s3Transport: `client` must be an S3Client');
  if (typeof o.bucket !== 'string' || o.bucket === '')
    throw new TypeError('s3Transport: `bucket` is required');
  const prefix = (o.prefix ?? '').replace(/^\/+|\/+$/g, '');
  assertPrefix(prefix);
  const partSize = atLeast('partSize', o.partSize ?? 16 * MiB, MIN_PART, MAX_SINGLE_PUT);
  const multipartThreshold = atLeast('multipartThreshold', o.multipartThreshold ?? 64 * MiB, MIN_PART);
  const mode = o.conditionalPut ?? 'auto';
  if (!['auto', 'native', 'emulate'].includes(mode)) {
    throw new TypeError(`s3Transport: conditionalPut must be auto, native or emulate, not ${String(mode)}`);
  }
  return {
    client: o.client,
    bucket: o.bucket,
    root: prefix === '' ? '' : `${prefix}/`,
    conditionalPut: mode,
    objectLock: o.objectLock && resolveLock(o.objectLock),
    multipartThreshold,
    partSize,
    maxConcurrency: atLeast('maxConcurrency', o.maxConcurrency ?? 16, 1),
    md5: o.md5,
  };
}

function resolveLock(lock: S3ObjectLock): Required<S3ObjectLock> {
  if (lock.mode !== 'GOVERNANCE' && lock.mode !== 'COMPLIANCE') {
    throw new TypeError(`s3Transport: objectLock.mode must be GOVERNANCE or COMPLIANCE`);
  }
  return {
    mode: lock.mode,
    retainDays: atLeast('objectLock.retainDays', lock.retainDays, 1),
    appliesTo: lock.appliesTo ?? ((key) => !key.startsWith('locks/')),
  };
}

function atLeast(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`s3Transport: ${name} must be an integer in ${min}..${max}, not ${value}`);
  }
  return value;
}
