import { KluisError } from '@kluis/core';

/**
 * Where an `s3:` repository lives.
 *
 * @example
 * ```ts
 * const { endpoint, bucket, prefix }: S3Location = parseS3Url('s3:http://127.0.0.1:7480/b/p');
 * ```
 */
export interface S3Location {
  /** The server, e.g. `http://127.0.0.1:7480` or `https://s3.amazonaws.com`. */
  endpoint: string;
  /** The bucket. */
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing `/`; `''` for the bucket root. */
  prefix: string;
}

/**
 * Parses a restic-style S3 repository location: `s3:<endpoint>/<bucket>[/<prefix>]`, where the
 * endpoint is a URL (`s3:http://127.0.0.1:7480/bucket/prefix`) or a bare host, taken as HTTPS
 * (`s3:s3.amazonaws.com/bucket`). Anything else is an `INVALID_CONFIG` error.
 *
 * @example
 * ```ts
 * parseS3Url('s3:http://127.0.0.1:7480/backups/laptop');
 * // { endpoint: 'http://127.0.0.1:7480', bucket: 'backups', prefix: 'laptop' }
 * ```
 */
export function parseS3Url(url: string): S3Location {
  const bad = (why: string) =>
    new KluisError(
      'INVALID_CONFIG',
      `invalid S3 repository ${JSON.stringify(url)}: ${why} (expected s3:http(s)://host[:port]/bucket[/prefix] or s3:host/bucket[/prefix])`,
    );
  if (typeof url !== 'string' || !url.startsWith('s3:')) throw bad('it does not start with s3:');
  const rest = url.slice(3);
  if (rest.startsWith('//')) throw bad('s3://bucket has no endpoint');
  let parsed: URL;
  try {
    parsed = new URL(/^https?:\/\//i.test(rest) ? rest : `https://${rest}`);
  } catch {
    throw bad('the endpoint is not a valid URL');
  }
  if (parsed.search || parsed.hash || parsed.username || parsed.password) {
    throw bad('query strings, fragments and credentials do not belong in the location');
  }
  const [bucket = '', ...prefix] = decodeURIComponent(parsed.pathname).split('/').filter(Boolean);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) && !/^[A-Za-z0-9._-]{1,255}$/.test(bucket)) {
    throw bad(bucket === '' ? 'no bucket' : `bad bucket name ${JSON.stringify(bucket)}`);
  }
  return { endpoint: parsed.origin, bucket, prefix: prefix.join('/') };
}
