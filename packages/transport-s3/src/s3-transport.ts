import type {
  AbortOptions,
  GetOptions,
  ObjectInfo,
  PutOptions,
  Transport,
  TransportCapabilities,
} from '@kluis/core';
import { conditionalWrites } from './_conditional';
import { getObject, listObjects, statObject } from './_read';
import { deleteObject, putObject } from './_write';
import { resolveOptions, type S3TransportOptions } from './options';

/**
 * A `Transport` over an S3 bucket, with a way to settle its conditional-write capability.
 *
 * @example
 * ```ts
 * const transport: S3Transport = s3Transport({ client, bucket: 'backups' });
 * const { conditionalPut } = await transport.probe();
 * ```
 */
export interface S3Transport extends Transport {
  /**
   * Settles `capabilities.conditionalPut` now instead of on the first create-only write: in `auto`
   * mode it writes and deletes a small probe object once. Returns a snapshot of the capabilities.
   * Call it before wrapping the transport in something that copies its capabilities.
   */
  probe(options?: AbortOptions): Promise<TransportCapabilities>;
}

/**
 * A kluis transport that keeps a repository in an S3 bucket (AWS S3, Ceph radosgw, MinIO, …).
 *
 * - Objects live at `<prefix>/<key>`; every upload carries Content-MD5, so the server rejects a body
 *   damaged in transit (`INTEGRITY`, retryable) instead of storing it.
 * - `put(…, { ifAbsent: true })` uses `If-None-Match: *` where the server honours it, else HEAD then
 *   PUT; `capabilities.conditionalPut` says which (see `conditionalPut` and {@link S3Transport.probe}).
 * - Ranges use `Range: bytes=a-b`; listings follow continuation tokens; bodies above
 *   `multipartThreshold` go up in parts, and a failed multipart upload is aborted on the server.
 * - Every call honours its `AbortSignal`; S3 errors become `KluisError`s (`NOT_FOUND`, `AUTH`,
 *   `QUOTA`, `UNAVAILABLE`, `TIMEOUT`, …) with the right `retryable` flag.
 *
 * @example
 * ```ts
 * import { S3Client } from '@aws-sdk/client-s3';
 * import { s3Transport } from '@kluis/transport-s3';
 *
 * const client = new S3Client({
 *   region: 'eu-west-1',
 *   requestChecksumCalculation: 'WHEN_REQUIRED',
 *   responseChecksumValidation: 'WHEN_REQUIRED',
 * });
 * const transport = s3Transport({ client, bucket: 'my-backups', prefix: 'laptop' });
 * await transport.put('config', new TextEncoder().encode('{}'), { ifAbsent: true });
 * ```
 */
export function s3Transport(options: S3TransportOptions): S3Transport {
  const o = resolveOptions(options);
  const conditional = conditionalWrites(o);
  const capabilities: TransportCapabilities = {
    rangeRead: true,
    get conditionalPut() {
      return conditional.native;
    },
    listConsistency: 'strong',
    maxConcurrency: o.maxConcurrency,
  };
  return {
    name: `s3:${o.bucket}${o.root === '' ? '' : `/${o.root.slice(0, -1)}`}`,
    capabilities,
    stat: (key: string, opt?: AbortOptions) => statObject(o, key, opt?.signal),
    get: (key: string, opt?: GetOptions) => getObject(o, key, opt),
    put: (key: string, body: Uint8Array, opt?: PutOptions) => putObject(o, conditional, key, body, opt),
    delete: (key: string, opt?: AbortOptions) => deleteObject(o, key, opt?.signal),
    list: (prefix: string, opt?: AbortOptions): AsyncIterable<ObjectInfo> =>
      listObjects(o, prefix, opt?.signal),
    async probe(opt?: AbortOptions) {
      await conditional.resolve(opt?.signal);
      return { ...capabilities };
    },
  };
}
