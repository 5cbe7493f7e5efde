/**
 * Lower-case hexadecimal of `bytes`, the form kluis uses for blob IDs and object names.
 *
 * @example
 * ```ts
 * toHex(new Uint8Array([0, 171, 255])); // '00abff'
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('toHex: bytes must be a Uint8Array');
  // Built from character codes in one call, so the result is one flat string: appending two
  // characters at a time leaves a rope of dozens of objects per ID, which is slower to hash and
  // costs several times the memory where IDs are kept (indexes, trees).
  const codes = new Array<number>(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    codes[2 * i] = HEX_CODES[bytes[i]! >> 4]!;
    codes[2 * i + 1] = HEX_CODES[bytes[i]! & 15]!;
  }
  if (codes.length <= 8192) return String.fromCharCode(...codes); // IDs: no slicing
  let out = '';
  for (let i = 0; i < codes.length; i += 8192) out += String.fromCharCode(...codes.slice(i, i + 8192));
  return out;
}

const HEX_CODES = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));

/**
 * Parses hexadecimal (either case) into bytes. Throws `TypeError` for a non-string and
 * `RangeError` for an odd length or a non-hex character, naming its position; pass `length` to
 * also require an exact byte count (e.g. 32 for a blob ID).
 *
 * @example
 * ```ts
 * fromHex('00abFF'); // Uint8Array [0, 171, 255]
 * fromHex('00ab', 32); // throws RangeError: expected 32 bytes (64 hex digits), got 2
 * ```
 */
export function fromHex(hex: string, length?: number): Uint8Array {
  if (typeof hex !== 'string') throw new TypeError(`fromHex: expected a string, got ${typeof hex}`);
  if (hex.length % 2 !== 0) throw new RangeError(`fromHex: odd number of hex digits (${hex.length})`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = digit(hex, 2 * i);
    const lo = digit(hex, 2 * i + 1);
    out[i] = (hi << 4) | lo;
  }
  if (length !== undefined && out.length !== length) {
    throw new RangeError(`fromHex: expected ${length} bytes (${2 * length} hex digits), got ${out.length}`);
  }
  return out;
}

function digit(hex: string, index: number): number {
  const c = hex.charCodeAt(index);
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  throw new RangeError(`fromHex: invalid hex character ${JSON.stringify(hex[index])} at position ${index}`);
}
