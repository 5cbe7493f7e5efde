import { checkJsonBounds, type JsonBounds } from '../_json-bounds';
import { ValidationError } from '../errors';
import { validateKeySlot } from './_key-slot-schema';
import { toHex } from './hex';
import type { KeySlot } from './key-slot-format';
import type { CryptoProvider } from './provider';

/**
 * The canonical bytes of a slot: compact UTF-8 JSON with fields in a fixed order (version, kdf,
 * N, r, p, salt, created, label, host, username, data). Validates the slot first.
 *
 * @example
 * ```ts
 * const bytes = serializeKeySlot(slot);
 * const id = toHex(portableCrypto.sha256(bytes)); // keys/<id>
 * ```
 */
export function serializeKeySlot(slot: KeySlot): Uint8Array {
  const s = validateKeySlot(slot);
  const ordered = {
    version: s.version,
    kdf: s.kdf,
    N: s.N,
    r: s.r,
    p: s.p,
    salt: s.salt,
    created: s.created,
    label: s.label,
    host: s.host,
    username: s.username,
    data: s.data,
  };
  return new TextEncoder().encode(JSON.stringify(ordered)); // undefined fields are left out
}

/** A key slot is under a kilobyte and flat; like `config`, it is stored in plaintext. */
const KEY_SLOT_BOUNDS: JsonBounds = { maxBytes: 64 * 1024, maxDepth: 4 };

/**
 * Parses stored key slot bytes (or a JSON string) into a validated {@link KeySlot}. Invalid
 * UTF-8, invalid JSON or a bad field throws a `ValidationError` (`INVALID_DATA`); another format
 * version throws `UNSUPPORTED_VERSION`.
 *
 * @example
 * ```ts
 * const slot = parseKeySlot(await transport.get('keys/3f2a…'));
 * ```
 */
export function parseKeySlot(input: Uint8Array | string): KeySlot {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  checkJsonBounds(bytes, KEY_SLOT_BOUNDS, 'key slot');
  let json: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    json = JSON.parse(text);
  } catch {
    throw new ValidationError('key slot', [{ path: [], message: 'not valid UTF-8 JSON' }]);
  }
  return validateKeySlot(json);
}

/**
 * The name kluis gives a stored slot: lower-case hex SHA-256 of its canonical bytes, so the
 * object is stored as `keys/<keySlotId>` and anyone can check it was not altered in storage.
 *
 * @example
 * ```ts
 * await transport.put(`keys/${keySlotId(portableCrypto, slot)}`, serializeKeySlot(slot), { ifAbsent: true });
 * ```
 */
export function keySlotId(provider: CryptoProvider, slot: KeySlot): string {
  return toHex(provider.sha256(serializeKeySlot(slot)));
}
