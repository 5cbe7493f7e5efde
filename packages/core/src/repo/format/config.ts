import * as z from 'zod/mini';
import type { JsonBounds } from '../../_json-bounds';
import { assertChunkerOptions } from '../../chunker/options';
import { KluisError } from '../../errors';
import { decodeJson, encodeJson } from './_json';

/**
 * Current repository format version.
 *
 * @example
 * ```ts
 * decodeConfig(bytes).version === FORMAT_VERSION; // readers refuse any other version
 * ```
 */
export const FORMAT_VERSION = 1;

/** Content-defined chunking parameters, fixed for the repository's lifetime. */
export interface ChunkerParams {
  minSize: number;
  avgSize: number;
  maxSize: number;
}

/**
 * The repository's `config` object: plaintext JSON (a reader must learn the version before it can
 * do anything else), authenticated by `mac`, an HMAC over the other fields keyed from the master
 * secret, checked as soon as a key slot has been opened.
 */
export interface RepositoryConfig {
  version: number;
  /** Random repository ID (hex, 32 bytes). */
  id: string;
  created: string;
  /** AEAD suite of every sealed object. */
  aead: 'xchacha20-poly1305';
  chunker: ChunkerParams;
  /** Default codec for new blobs: 'none' or 'deflate-raw'. */
  compression: 'none' | 'deflate-raw';
  /** Target pack size in bytes. */
  packSize: number;
  /** HMAC-SHA-256 (hex) over the canonical JSON of every other field. */
  mac: string;
}

const int = (min: number, max: number) => z.int().check(z.gte(min), z.lte(max));
const schema = z.strictObject({
  version: z.int(),
  id: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  created: z.iso.datetime(),
  aead: z.literal('xchacha20-poly1305'),
  chunker: z
    .strictObject({
      minSize: int(64, 64 << 20),
      avgSize: int(256, 64 << 20),
      maxSize: int(1024, 64 << 20),
    })
    .check(
      z.refine((c) => c.minSize < c.avgSize && c.avgSize < c.maxSize, 'need minSize < avgSize < maxSize'),
      z.refine(
        validChunker,
        'not parameters the FastCDC chunker accepts (avgSize a power of two, minSize even)',
      ),
    ),
  compression: z.enum(['none', 'deflate-raw']),
  packSize: int(1 << 16, 1 << 28),
  mac: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
});

/** Bytes the config MAC covers: canonical JSON of everything but `mac`. */
export function configMacInput(c: Omit<RepositoryConfig, 'mac'>): Uint8Array {
  const { version, id, created, aead, chunker, compression, packSize } = c;
  return encodeJson({ version, id, created, aead, chunker, compression, packSize });
}

/** A config is a few hundred bytes, two levels deep; it is plaintext, so anyone with write access to the storage can replace it. */
const CONFIG_BOUNDS: JsonBounds = { maxBytes: 64 * 1024, maxDepth: 8 };

/**
 * Parses the `config` object. The version is checked first, so a newer format is refused with
 * `UNSUPPORTED_VERSION` even if the rest would not validate.
 *
 * @example
 * ```ts
 * const config = decodeConfig(await transport.get('config'));
 * ```
 */
export function decodeConfig(bytes: Uint8Array): RepositoryConfig {
  const loose = decodeJson(bytes, z.looseObject({ version: z.number() }), 'config', CONFIG_BOUNDS);
  if (loose.version !== FORMAT_VERSION) {
    throw new KluisError(
      'UNSUPPORTED_VERSION',
      `repository format version ${loose.version} is not supported (this kluis reads version ${FORMAT_VERSION}; upgrade kluis)`,
    );
  }
  return decodeJson(bytes, schema, 'config', CONFIG_BOUNDS) as RepositoryConfig;
}

/**
 * Serialises the `config` object.
 *
 * @example
 * ```ts
 * await transport.put('config', encodeConfig(config));
 * ```
 */
export function encodeConfig(c: RepositoryConfig): Uint8Array {
  const { version, id, created, aead, chunker, compression, packSize, mac } = c;
  return encodeJson({ version, id, created, aead, chunker, compression, packSize, mac });
}

function validChunker(c: ChunkerParams): boolean {
  try {
    assertChunkerOptions(c);
    return true;
  } catch {
    return false;
  }
}
