// The key derivation fields of a stored key slot, read without the full validation of
// `parseKeySlot` (which loads zod): for starting scrypt early. Nothing read here is trusted: a
// key derived from it is used only when `openRepository`, having validated the slot with
// `parseKeySlot`, asks for the very same password, salt and parameters.
import { SCRYPT_LIMITS } from './assert';
import { decodeBase64 } from './base64';

/** The scrypt inputs of a key slot, and its creation time (slots are tried oldest first). */
export interface KeySlotKdf {
  salt: Uint8Array;
  N: number;
  r: number;
  p: number;
  /** The slot's ISO 8601 `created` field. */
  created: string;
}

/** Larger than any slot kluis writes (a few hundred bytes); a larger file is not a slot. */
const MAX_SLOT_BYTES = 64 * 1024;

/**
 * The scrypt fields of a stored key slot (see `KeySlot`), or `undefined` when the bytes do not
 * look like one (not JSON, another KDF, parameters out of range). A quick reader for starting the
 * derivation early; {@link parseKeySlot} remains the one that validates a slot.
 *
 * @example
 * ```ts
 * const kdf = readKeySlotKdf(serializeKeySlot(slot));
 * kdf?.N === slot.N; // true
 * ```
 */
export function readKeySlotKdf(bytes: Uint8Array): KeySlotKdf | undefined {
  if (bytes.length > MAX_SLOT_BYTES) return undefined;
  let s: unknown;
  try {
    s = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof s !== 'object' || s === null) return undefined;
  const { kdf, created, salt, N, r, p } = s as Record<string, unknown>;
  if (kdf !== 'scrypt' || typeof created !== 'string' || typeof salt !== 'string') return undefined;
  if (!isCount(N, 2, SCRYPT_LIMITS.maxN) || (N & (N - 1)) !== 0) return undefined;
  if (!isCount(r, 1, SCRYPT_LIMITS.maxR) || !isCount(p, 1, SCRYPT_LIMITS.maxP)) return undefined;
  const saltBytes = decodeBase64(salt);
  if (!saltBytes || saltBytes.length === 0) return undefined;
  return { salt: saltBytes, N, r, p, created };
}

function isCount(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}
