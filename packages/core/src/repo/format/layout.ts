import { KluisError } from '../../errors';

// The repository's object layout (restic's, so the REST protocol fits): one `config` object and
// folders of objects named `<kind>/<name>`. Every key the engine writes, reads or lists is built
// and taken apart here, so no other module spells out a folder name or slices a prefix off.

/** What kind of blob: file content or a directory tree. */
export type BlobType = 'data' | 'tree';

/** The folders of a repository, in the order restic's REST protocol names them. */
export const OBJECT_KINDS = ['data', 'keys', 'locks', 'snapshots', 'index'] as const;

/**
 * A folder of the repository: `data` (packs), `index` (index files), `snapshots`, `keys` (key
 * slots) or `locks`.
 */
export type ObjectKind = (typeof OBJECT_KINDS)[number];

/** The key of the repository's config object, the one object outside the folders. */
export const CONFIG_KEY = 'config';

/** An object key taken apart: the config object, or a folder and a name in it. */
export type ObjectRef = { kind: 'config' } | { kind: ObjectKind; name: string };

/** A name within a folder: one key segment (the transport's key rule), so never a `/`. */
const NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const KINDS: ReadonlySet<string> = new Set(OBJECT_KINDS);

/** One key segment, and short enough that the whole key fits a transport's 1024 characters. */
function isName(kind: string, name: string): boolean {
  return NAME.test(name) && kind.length + 1 + name.length <= 1024;
}

/** True when `s` names one of the repository's folders. */
export function isObjectKind(s: string): s is ObjectKind {
  return KINDS.has(s);
}

/** The listing prefix of a folder: `data/`, `index/`, … */
export function kindPrefix(kind: ObjectKind): `${ObjectKind}/` {
  return `${kind}/`;
}

/**
 * The key of the object `name` in folder `kind`, e.g. `objectKey('data', packId)` is
 * `data/<packId>`. Throws `TypeError` (as a transport's key check does) for a name that is not
 * one key segment: the engine only builds keys from names it made or listed, so a bad one is a bug
 * or a caller's mistake, never stored data.
 */
export function objectKey(kind: ObjectKind, name: string): string {
  if (!isObjectKind(kind) || !isName(kind, name)) {
    throw new TypeError(`${JSON.stringify(name)} is not an object name in ${JSON.stringify(kind)}`);
  }
  return `${kind}/${name}`;
}

/**
 * Takes a key apart into its folder and name. Throws `INVALID_DATA` for a key that is not part of
 * the layout (an unknown folder, an empty or nested name, a stray `config/…`).
 */
export function parseObjectKey(key: string): ObjectRef {
  if (key === CONFIG_KEY) return { kind: 'config' };
  const slash = key.indexOf('/');
  const kind = key.slice(0, slash);
  const name = key.slice(slash + 1);
  if (slash > 0 && isObjectKind(kind) && isName(kind, name)) return { kind, name };
  throw new KluisError(
    'INVALID_DATA',
    `${JSON.stringify(key)} is not an object key of the repository layout`,
  );
}

/**
 * The name of `key`, which must be an object in folder `kind` (as every key listed under
 * `kindPrefix(kind)` is). Throws `INVALID_DATA` otherwise.
 */
export function objectName(kind: ObjectKind, key: string): string {
  const ref = parseObjectKey(key);
  if (ref.kind !== kind) {
    throw new KluisError(
      'INVALID_DATA',
      `${JSON.stringify(key)} is not an object in ${JSON.stringify(kind)}`,
    );
  }
  return (ref as { name: string }).name;
}
