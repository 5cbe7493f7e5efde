import { toHex } from '../crypto/hex';
import type { AbortOptions, GetOptions, ObjectInfo, Transport } from '../transport';
import type { CacheStore } from './cache-store';
import { forward } from './wrapper-kit';

/**
 * What {@link withCache} keeps: `index` files, `snapshots`, and `trees` (packs of tree blobs,
 * recognised by the reader's `contents: 'tree'` on `get`).
 *
 * @example
 * ```ts
 * const kinds: CacheKind[] = ['index', 'snapshots'];
 * ```
 */
export type CacheKind = 'index' | 'snapshots' | 'trees';

/** Options of {@link withCache}. */
export interface CacheOptions {
  /** What to keep. Default all of {@link CacheKind}. */
  kinds?: readonly CacheKind[];
}

const CONTENT_NAMED = /^(index|snapshots|data)\/([0-9a-f]{64})$/;

/**
 * Keeps copies of a repository's immutable, content-named objects in `store` (index files,
 * snapshots and tree packs, as restic and kopia keep a local cache), so that reading them again —
 * an unchanged re-backup, `snapshots`, `ls` — costs no transfer. Only what needs no trust is
 * cached: these objects are named by the SHA-256 of their stored bytes, so every entry is checked
 * against its name on every read, and a bad or tampered one is dropped and fetched again.
 *
 * - `get` of a cached kind is served from the store when the entry is good; otherwise the whole
 *   object is fetched, kept when its bytes match its name, and the requested range returned.
 *   A data pack is cached only when the reader marks it `contents: 'tree'` (the engine does when
 *   it reads a pack's tree blobs at once: the index says which packs hold them); other packs pass through untouched.
 * - `put` of an index file or snapshot stores a copy after the transport accepted it.
 * - `delete` drops the entry; a completed `list` drops entries under its prefix that it did not
 *   yield (objects deleted by someone else), so a stale entry is not served after a listing.
 * - `stat` and everything else pass through; store errors only ever cost a miss.
 *
 * Key the store by repository (e.g. a directory per repository ID): entries of another
 * repository are harmless (they are checked by hash) but waste space.
 *
 * @example
 * ```ts
 * import { fileCacheStore } from '@kluis/core/node';
 * const remote = httpTransport({ url: 'https://backup.example.net/alice/laptop/' });
 * const id = decodeConfig(await remote.get('config')).id; // names the cache directory only
 * const cached = withCache(remote, fileCacheStore({ dir: `/home/me/.cache/kluis/${id}` }));
 * const opened = await openRepository(cached, { password });
 * ```
 */
export function withCache(inner: Transport, store: CacheStore, options: CacheOptions = {}): Transport {
  const kinds = new Set<CacheKind>(options.kinds ?? ['index', 'snapshots', 'trees']);
  const cacheable = (key: string, contents?: 'tree'): boolean => {
    const m = CONTENT_NAMED.exec(key);
    if (!m) return false;
    if (m[1] === 'data') return contents === 'tree' && kinds.has('trees');
    return kinds.has(m[1] as CacheKind);
  };
  // Packs the store would not keep (larger than its bound, or it failed): their ranges are read
  // directly from then on, rather than fetching the whole pack again for each.
  const unkept = new Set<string>();
  const prefixes = [...kinds].map((k) => (k === 'trees' ? 'data/' : `${k}/`));
  return {
    ...forward(inner),
    get: (key, o) =>
      cacheable(key, o?.contents) && !(o?.range && unkept.has(key))
        ? cachedGet(inner, store, unkept, key, o)
        : inner.get(key, o),
    put: async (key, body, o) => {
      await inner.put(key, body, o);
      if (cacheable(key) && (await matchesName(key, body))) await quietly(() => store.put(key, body));
    },
    delete: async (key, o) => {
      await quietly(() => store.delete(key));
      unkept.delete(key);
      await inner.delete(key, o);
    },
    list: (prefix, o) =>
      prefixes.some((p) => p.startsWith(prefix) || prefix.startsWith(p))
        ? pruningList(inner, store, prefix, o)
        : inner.list(prefix, o),
    ...(inner.openWriter ? { openWriter: inner.openWriter.bind(inner) } : {}),
  };
}

async function cachedGet(
  inner: Transport,
  store: CacheStore,
  unkept: Set<string>,
  key: string,
  o?: GetOptions,
): Promise<Uint8Array> {
  const cached = await quietly(() => store.get(key));
  if (cached) {
    if (await matchesName(key, cached)) {
      const part = slice(cached, o?.range);
      if (part) return part;
      return inner.get(key, o); // a bad range: the transport's own error
    }
    await quietly(() => store.delete(key));
  }
  const whole = await inner.get(key, o?.signal ? { signal: o.signal } : {});
  if ((await matchesName(key, whole)) && !(await quietly(() => store.put(key, whole)))) unkept.add(key);
  return slice(whole, o?.range) ?? inner.get(key, o);
}

/** `range` of `bytes`, all of it without one, or `undefined` when the range does not fit. */
function slice(bytes: Uint8Array, range: GetOptions['range']): Uint8Array | undefined {
  if (!range) return bytes;
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0)
    return undefined;
  if (offset + length > bytes.length) return undefined;
  return bytes.subarray(offset, offset + length);
}

/** A listing passed through; once it completes, entries under `prefix` it did not yield are dropped. */
async function* pruningList(
  inner: Transport,
  store: CacheStore,
  prefix: string,
  o?: AbortOptions,
): AsyncIterable<ObjectInfo> {
  const seen = new Set<string>();
  for await (const info of inner.list(prefix, o)) {
    seen.add(info.key);
    yield info;
  }
  const cached = (await quietly(() => store.keys(prefix))) ?? [];
  await Promise.all(cached.filter((k) => !seen.has(k)).map((k) => quietly(() => store.delete(k))));
}

/** Whether `bytes` hash to the SHA-256 that `key` (`<kind>/<hex>`) names. */
async function matchesName(key: string, bytes: Uint8Array): Promise<boolean> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return toHex(digest) === key.slice(key.indexOf('/') + 1);
}

/** Runs a store operation; its failure is a miss, never the caller's error. */
async function quietly<T>(op: () => Promise<T>): Promise<T | undefined> {
  try {
    return await op();
  } catch {
    return undefined;
  }
}
