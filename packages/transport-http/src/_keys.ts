/**
 * The mapping between kluis object keys and restic REST paths, shared by the client and the
 * handler. The repository format has exactly these shapes: `config` and `<type>/<name>` with
 * `<type>` one of {@link OBJECT_TYPES}; anything else cannot travel over the REST protocol.
 */

import type { ObjectType } from './hooks';

/** The object directories of a repository, as in restic's REST protocol. */
export const OBJECT_TYPES: readonly ObjectType[] = ['data', 'keys', 'locks', 'snapshots', 'index'];

/**
 * Types whose files are named by the SHA-256 of their stored bytes. Key slots are not (kluis names
 * them freely and may rewrite them), and neither is `config`.
 */
export const HASHED_TYPES: ReadonlySet<string> = new Set<ObjectType>(['data', 'index', 'snapshots', 'locks']);

/** A single path segment: the characters of a kluis key segment, not starting with a dot. */
export const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}$/;

/** The names that end a repository path and so cannot be part of one. */
export const RESERVED: ReadonlySet<string> = new Set<string>([...OBJECT_TYPES, 'config']);

/** A parsed object key: `config`, or a typed object. */
export type ObjectRef = { type: 'config' } | { type: ObjectType; name: string };

/** True when `s` is one of {@link OBJECT_TYPES}. */
export function isObjectType(s: string | undefined): s is ObjectType {
  return s !== undefined && (OBJECT_TYPES as readonly string[]).includes(s);
}

/**
 * Parses a kluis key into its REST shape; throws `TypeError` for any other key shape.
 * Keys are already checked with core's `assertKey` by the caller.
 */
export function parseKey(key: string): ObjectRef {
  if (key === 'config') return { type: 'config' };
  const slash = key.indexOf('/');
  const type = key.slice(0, slash);
  const name = key.slice(slash + 1);
  if (slash > 0 && isObjectType(type) && SEGMENT.test(name)) return { type, name };
  throw new TypeError(
    `object key ${JSON.stringify(key)} has no REST path: expected "config" or "<type>/<name>" with type one of ${OBJECT_TYPES.join(', ')}`,
  );
}

/** The key of a parsed object reference. */
export function formatKey(ref: ObjectRef): string {
  return ref.type === 'config' ? 'config' : `${ref.type}/${ref.name}`;
}
