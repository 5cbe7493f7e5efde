// Strict JSON decoding of untrusted bytes with a zod/mini schema. Internal.
import type * as z from 'zod/mini';
import { fromUtf8, utf8 } from '../../_bytes';
import { checkJsonBounds, type JsonBounds } from '../../_json-bounds';
import { validate } from '../../_validate';
import { KluisError } from '../../errors';

/** Parses `bytes` (checked against `bounds` first) and validates them with `schema`. */
export function decodeJson<T>(
  bytes: Uint8Array,
  schema: z.ZodMiniType<T>,
  what: string,
  bounds: JsonBounds,
): T {
  checkJsonBounds(bytes, bounds, what);
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(bytes));
  } catch (e) {
    throw new KluisError('INVALID_DATA', `${what} is not valid UTF-8 JSON`, { cause: e });
  }
  return validate(schema, json, what);
}

export function encodeJson(value: unknown): Uint8Array {
  return utf8(JSON.stringify(value));
}
