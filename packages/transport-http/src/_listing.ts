import { KluisError } from '@kluis/core';
import { z } from 'zod';
import { SEGMENT } from './_keys';
import { V2_TYPE } from './_protocol';

const name = z.string().regex(SEGMENT);
const v2 = z.array(z.object({ name, size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) }));
const v1 = z.array(name);

/** A parsed listing: v2 carries sizes; v1 only names, whose sizes must be asked for one by one. */
export type Listing =
  | { version: 2; entries: { name: string; size: number }[] }
  | { version: 1; names: string[] };

/**
 * Parses the reply to `GET {type}/`. The `Content-Type` decides the version, as restic's client
 * does: the v2 media type means `[{ "name", "size" }]`, anything else a v1 array of names. Names
 * must be valid key segments, so a hostile server cannot inject keys such as `../x`.
 */
export function parseListing(body: Uint8Array, contentType: string | null, what: string): Listing {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch (e) {
    throw new KluisError('PROTOCOL', `${what}: the listing is not JSON`, { cause: e });
  }
  const isV2 = (contentType ?? '').split(';')[0]?.trim() === V2_TYPE;
  const parsed = isV2 ? v2.safeParse(json) : v1.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    throw new KluisError(
      'PROTOCOL',
      `${what}: malformed v${isV2 ? 2 : 1} listing at ${where}: ${issue?.message}`,
    );
  }
  return isV2
    ? { version: 2, entries: parsed.data as { name: string; size: number }[] }
    : { version: 1, names: parsed.data as string[] };
}
