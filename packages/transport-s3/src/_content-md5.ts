import { md5 } from '@noble/hashes/legacy.js';

/**
 * The `Content-MD5` header value of `body`: base64 of its MD5. S3 and Ceph radosgw recompute it over
 * the bytes they receive and reject the upload with `BadDigest` on a mismatch, so a body damaged
 * between here and the server's disk is never stored. (MD5 is used as a transmission check only,
 * not against an adversary: repository objects are named by their SHA-256.)
 */
export function contentMd5(body: Uint8Array, hash: (body: Uint8Array) => Uint8Array = md5): string {
  return toBase64(hash(body));
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
