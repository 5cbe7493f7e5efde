import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { S3TransportOptions } from './options';
import { type S3Transport, s3Transport } from './s3-transport';
import { parseS3Url, type S3Location } from './s3-url';

/**
 * Options of {@link s3TransportFromUrl}: the transport's options, minus what the URL gives.
 *
 * @example
 * ```ts
 * const options: S3TransportFromUrlOptions = { env: process.env, conditionalPut: 'auto' };
 * const transport = await s3TransportFromUrl('s3:http://127.0.0.1:7480/backups', options);
 * ```
 */
export interface S3TransportFromUrlOptions extends Omit<S3TransportOptions, 'client' | 'bucket' | 'prefix'> {
  /**
   * Where to read `AWS_*` variables; pass `process.env` in Node. Without it (or without keys in it)
   * the SDK's own default chain finds credentials: environment, profiles, SSO, instance roles.
   */
  env?: Record<string, string | undefined>;
  /** Extra S3Client settings, applied last. */
  clientConfig?: S3ClientConfig;
}

/**
 * Opens an `s3:` repository location (see `parseS3Url`) with credentials from the usual AWS
 * environment variables: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, and
 * `AWS_REGION` or `AWS_DEFAULT_REGION`. Without keys in `env`, the SDK's default chain (environment,
 * profiles, SSO, instance roles) applies. Endpoints other than AWS get path-style addressing and
 * region `us-east-1` unless one is set.
 *
 * @example
 * ```ts
 * import { s3TransportFromUrl } from '@kluis/transport-s3';
 *
 * // AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… in the environment
 * const transport = await s3TransportFromUrl('s3:http://127.0.0.1:7480/backups/laptop', { env: process.env });
 * ```
 */
export async function s3TransportFromUrl(
  url: string,
  options: S3TransportFromUrlOptions = {},
): Promise<S3Transport> {
  const { env = {}, clientConfig, ...transportOptions } = options;
  const location = parseS3Url(url);
  const client = new S3Client({ ...s3ClientConfigFromEnv(location, env), ...clientConfig });
  return s3Transport({ ...transportOptions, client, bucket: location.bucket, prefix: location.prefix });
}

/**
 * The S3Client settings for `location` from AWS environment variables, with the checksum settings
 * the transport recommends (it sends Content-MD5 itself).
 *
 * @example
 * ```ts
 * import { S3Client } from '@aws-sdk/client-s3';
 *
 * const config = s3ClientConfigFromEnv(parseS3Url('s3:http://127.0.0.1:7480/b'), process.env);
 * const client = new S3Client(config);
 * ```
 */
export function s3ClientConfigFromEnv(
  location: S3Location,
  env: Record<string, string | undefined>,
): S3ClientConfig {
  const host = new URL(location.endpoint).hostname;
  const aws = /(^|\.)amazonaws\.com(\.cn)?$/.test(host);
  const hostRegion = /^s3[.-]([a-z0-9-]+)\.amazonaws\.com/.exec(host)?.[1];
  const keyId = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  const token = env.AWS_SESSION_TOKEN;
  // On AWS without a region in `env`, the SDK resolves one itself (environment, profile).
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || hostRegion || (aws ? undefined : 'us-east-1');
  return {
    ...(region ? { region } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(aws ? { followRegionRedirects: true } : { endpoint: location.endpoint, forcePathStyle: true }),
    ...(keyId && secret
      ? {
          credentials: {
            accessKeyId: keyId,
            secretAccessKey: secret,
            ...(token ? { sessionToken: token } : {}),
          },
        }
      : {}),
  };
}
