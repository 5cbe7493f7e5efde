/**
 * @packageDocumentation
 * `@kluis/transport-s3`: keep kluis repositories in S3-compatible object storage. Pass your own
 * `S3Client` from `@aws-sdk/client-s3` (a peer dependency) to {@link s3Transport}, or open a
 * restic-style `s3:` location with {@link s3TransportFromUrl}.
 */

export type { S3ObjectLock, S3TransportOptions } from './options';
export type { S3Transport } from './s3-transport';
export { s3Transport } from './s3-transport';
export type { S3TransportFromUrlOptions } from './s3-transport-from-url';
export { s3ClientConfigFromEnv, s3TransportFromUrl } from './s3-transport-from-url';
export type { S3Location } from './s3-url';
export { parseS3Url } from './s3-url';
