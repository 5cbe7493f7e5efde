import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { STANDARD_GEAR_HEX } from './_standard-gear';

/**
 * A FastCDC gear table: 256 unsigned 64-bit entries stored as 512 32-bit words
 * `[hi0, lo0, hi1, lo1, ...]`, so the table crosses into WebAssembly and pure JavaScript without
 * BigInt.
 *
 * @example
 * ```ts
 * const gear: GearTable = standardGearTable();
 * const entry0 = (BigInt(gear[0]!) << 32n) | BigInt(gear[1]!); // 0x3b5d3c7d207e37dcn
 * ```
 */
export type GearTable = Uint32Array;

/**
 * HKDF info string of {@link keyedGearTable}: binds the derived table to its purpose and to
 * format version 1. A second implementation needs it to derive the same table.
 *
 * @example
 * ```ts
 * GEAR_KEY_INFO; // 'kluis/v1/chunker-gear'
 * ```
 */
export const GEAR_KEY_INFO = 'kluis/v1/chunker-gear';

let standard: GearTable | undefined;

/**
 * The standard FastCDC gear table (entry i = the first 8 bytes, big-endian, of MD5 over 64 bytes
 * all equal to i), as used by the published FastCDC 2020 implementations. Chunk boundaries made
 * with it are the same for everyone, so chunk sizes can reveal known content: repositories
 * should chunk with {@link keyedGearTable}. Returns a fresh copy on each call.
 *
 * @example
 * ```ts
 * const chunker = referenceChunker({ minSize: 4096, avgSize: 16384, maxSize: 65536, gear: standardGearTable() });
 * ```
 */
export function standardGearTable(): GearTable {
  if (standard === undefined) {
    const table = new Uint32Array(512);
    for (let i = 0; i < 512; i++) {
      table[i] = Number.parseInt(STANDARD_GEAR_HEX.slice(i * 8, i * 8 + 8), 16);
    }
    standard = table;
  }
  return standard.slice();
}

/**
 * A gear table derived entirely from secret key material: the 2048 bytes of
 * HKDF-SHA-256(ikm = `key`, no salt, info = `"kluis/v1/chunker-gear"`), read as 256 big-endian
 * 64-bit entries. Every entry depends on the key (unlike a seed XORed into the public table, which
 * leaks the seed through chunk sizes). `key` must be at least 16 bytes.
 *
 * @example
 * ```ts
 * const chunkerKey = crypto.getRandomValues(new Uint8Array(32)); // in practice: from the repository keys
 * const gear = keyedGearTable(chunkerKey);
 * const chunker = referenceChunker({ minSize: 256 * 1024, avgSize: 1 << 20, maxSize: 4 << 20, gear });
 * ```
 */
export function keyedGearTable(key: Uint8Array): GearTable {
  if (!(key instanceof Uint8Array)) throw new TypeError('keyedGearTable: key must be a Uint8Array');
  if (key.length < 16) {
    throw new RangeError(`keyedGearTable: key must be at least 16 bytes (got ${key.length})`);
  }
  const bytes = hkdf(sha256, key, undefined, new TextEncoder().encode(GEAR_KEY_INFO), 2048);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const table = new Uint32Array(512);
  for (let i = 0; i < 512; i++) table[i] = view.getUint32(i * 4, false);
  return table;
}
