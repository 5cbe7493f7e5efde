/**
 * Where {@link withCache} keeps copies of objects: a small key-value store of bytes, bounded in
 * size by the implementation. It need not be trustworthy: `withCache` checks every entry it reads
 * against the SHA-256 its key names, and drops a bad one. Errors of a store are never fatal: a
 * failed `get` is a miss, a failed `put` or `delete` is ignored.
 *
 * Implementations: {@link memoryCacheStore} (any runtime) and `fileCacheStore` from
 * `@kluis/core/node` (files under a directory, kept across runs).
 *
 * @example
 * ```ts
 * const store: CacheStore = memoryCacheStore({ maxBytes: 64 << 20 });
 * await store.put('index/ab12…', bytes);
 * const again = await store.get('index/ab12…'); // bytes, or undefined once evicted
 * ```
 */
export interface CacheStore {
  /** The bytes stored under `key`, or `undefined`. A hit counts as a use for eviction. */
  get(key: string): Promise<Uint8Array | undefined>;
  /**
   * Stores `bytes` under `key` (evicting other entries if need be). Resolves to whether the entry
   * was kept: `false` when it is larger than the store's bound.
   */
  put(key: string, bytes: Uint8Array): Promise<boolean>;
  /** Removes the entry; removing a missing one succeeds. */
  delete(key: string): Promise<void>;
  /** The keys of every entry starting with `prefix`. */
  keys(prefix: string): Promise<string[]>;
}

/** Options of {@link memoryCacheStore}. */
export interface MemoryCacheStoreOptions {
  /** Bytes kept at most; the least recently used entries go first. Default 256 MiB. */
  maxBytes?: number;
}

/**
 * A {@link CacheStore} in memory, least recently used entries evicted past `maxBytes`: for
 * browsers (one page's lifetime) and tests. Entries are copied in and out, so callers may reuse
 * their buffers.
 *
 * @example
 * ```ts
 * const remote = httpTransport({ url: 'https://backup.example.net/alice/laptop/' });
 * const cached = withCache(remote, memoryCacheStore({ maxBytes: 64 << 20 }));
 * ```
 */
export function memoryCacheStore(options: MemoryCacheStoreOptions = {}): CacheStore {
  const maxBytes = options.maxBytes ?? 256 << 20;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`memoryCacheStore: maxBytes must be a non-negative integer, got ${maxBytes}`);
  }
  const entries = new Map<string, Uint8Array>(); // insertion order = least recently used first
  let total = 0;
  const remove = (key: string): void => {
    const old = entries.get(key);
    if (!old) return;
    entries.delete(key);
    total -= old.length;
  };
  return {
    async get(key) {
      const bytes = entries.get(key);
      if (!bytes) return undefined;
      entries.delete(key);
      entries.set(key, bytes);
      return bytes.slice();
    },
    async put(key, bytes) {
      remove(key);
      if (bytes.length > maxBytes) return false;
      entries.set(key, bytes.slice());
      total += bytes.length;
      for (const k of entries.keys()) {
        if (total <= maxBytes) break;
        remove(k);
      }
      return true;
    },
    async delete(key) {
      remove(key);
    },
    async keys(prefix) {
      return [...entries.keys()].filter((k) => k.startsWith(prefix));
    },
  };
}
