// Strict JSON decoding of untrusted bytes with a zod schema. Internal.
import type { z } from 'zod';
import { fromUtf8, utf8 } from '../../_bytes';
import { checkJsonBounds, type JsonBounds } from '../../_json-bounds';
import { KluisError, ValidationError } from '../../errors';

/** Parses `bytes` (checked against `bounds` first) and validates them with `schema`. */
export function decodeJson<T>(bytes: Uint8Array, schema: z.ZodType<T>, what: string, bounds: JsonBounds): T {
  checkJsonBounds(bytes, bounds, what);
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(bytes));
  } catch (e) {
    throw new KluisError('INVALID_DATA', `${what} is not valid UTF-8 JSON`, { cause: e });
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    throw new ValidationError(
      what,
      r.error.issues.map((i) => ({
        path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
        message: i.message,
      })),
    );
  }
  return r.data;
}

export function encodeJson(value: unknown): Uint8Array {
  return utf8(JSON.stringify(value));
}
