/**
 * The storage contract. A transport stores immutable, named objects; the repository engine needs
 * nothing else. Implementations: `memoryTransport` (here), `localTransport` (`@kluis/core/node`),
 * `s3Transport` (`@kluis/transport-s3`), `httpTransport` (`@kluis/transport-http`). Every one of
 * them passes the conformance suite in `@kluis/core/testing`.
 *
 * ## Guarantees every transport gives
 * - **Keys** are `/`-separated relative paths of `[A-Za-z0-9._-]` segments (see {@link assertKey});
 *   no empty segment, no `.` or `..`. Anything else is a `TypeError` before any I/O. A key is
 *   never also the directory of other keys (`a` and `a/b`): hierarchical stores (a local disk)
 *   refuse the second with `ALREADY_EXISTS`; the repository layout never does this.
 * - **Atomic writes**: a reader sees either no object or all of `body`, never a prefix.
 * - **Read-after-write**: once `put` resolves, `get` and `stat` see the object. `list` sees it too
 *   when `capabilities.listConsistency` is `'strong'`; with `'eventual'` it appears later.
 * - **Not found** is `KluisError` code `NOT_FOUND` from `get`; `stat` returns `undefined`;
 *   `delete` of a missing key succeeds (idempotent).
 * - **Create-only**: `put(k, b, { ifAbsent: true })` fails with `ALREADY_EXISTS` if `k` exists.
 *   When `capabilities.conditionalPut` is true this is atomic (of two racing writers exactly one
 *   wins); when false it is check-then-write and a race may let both succeed.
 * - **Overwrite**: `put` without `ifAbsent` replaces the object (used only for `config` and
 *   `keys/`; the engine never overwrites content-addressed objects).
 * - **Ranges**: `get(k, { range })` returns exactly `length` bytes from `offset`; a range reaching
 *   past the end of the object rejects with `INVALID_DATA`, never a short read; a malformed
 *   range (negative, fractional or NaN) is a `RangeError`. Without `capabilities.rangeRead` the
 *   transport reads the whole object and slices.
 * - **Listing** yields every key under `prefix` (a key prefix, usually `data/`) exactly once, in
 *   no particular order, with its size.
 * - **Abort**: every call honours `signal`; an aborted call rejects with `ABORTED` and leaves no
 *   partial object.
 * - **Buffers**: the caller must not change `body` until `put` settles; afterwards the store is
 *   unaffected by changes to it. The bytes `get` returns belong to the caller.
 * - **Errors** are `KluisError`s with the right `retryable` flag: `UNAVAILABLE`/`TIMEOUT` may be
 *   retried (see `withRetry`), `AUTH`/`QUOTA`/`NOT_FOUND`/`ALREADY_EXISTS` are final.
 *
 * Every guarantee above is checked by the conformance suite of `@kluis/core/testing`
 * (`describeTransportConformance`, `runTransportConformance`; see `docs/transports.md`).
 * Retries, concurrency limits and metrics are wrappers: `withRetry`, `withLimit`, `withMetrics`.
 *
 * @example
 * ```ts
 * const store: Transport = memoryTransport();
 * await store.put('data/ab12', bytes, { ifAbsent: true });
 * const header = await store.get('data/ab12', { range: { offset: 0, length: 16 } });
 * for await (const { key, size } of store.list('data/')) console.log(key, size);
 * ```
 */
export interface Transport {
  /** A short human-readable name, e.g. `local:/srv/backup` or `s3:bucket/prefix`. */
  readonly name: string;
  /** What this transport can do natively. */
  readonly capabilities: TransportCapabilities;
  /** Size of an object, or `undefined` if it does not exist. */
  stat(key: string, options?: AbortOptions): Promise<ObjectInfo | undefined>;
  /** The object's bytes, or a byte range of them. Missing object: `NOT_FOUND`. */
  get(key: string, options?: GetOptions): Promise<Uint8Array>;
  /** Stores `body` under `key` atomically. With `ifAbsent`, fails with `ALREADY_EXISTS` if present. */
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<void>;
  /** Removes an object; removing a missing object succeeds. */
  delete(key: string, options?: AbortOptions): Promise<void>;
  /** Every object whose key starts with `prefix`, each exactly once, in no particular order. */
  list(prefix: string, options?: AbortOptions): AsyncIterable<ObjectInfo>;
  /**
   * Optional: starts an object that is written piece by piece and named only once it is complete
   * (a pack's key is the SHA-256 of its bytes), so a writer need not hold the whole object in
   * memory. Storage that must know the key first (S3, restic's REST protocol) leaves it out, and
   * callers `put` whole objects instead; so does `withRetry`, which can retry a `put` but not a
   * half-written object. See {@link ObjectWriter}.
   */
  openWriter?(options?: AbortOptions): Promise<ObjectWriter>;
}

/**
 * An object being written by {@link Transport.openWriter}: nothing is visible (to `get`, `stat`
 * or `list`) until `commit`, which then does what `put(key, allBytesWritten, options)` would.
 * Every writer ends with `commit` or `abort`.
 *
 * @example
 * ```ts
 * const w = await transport.openWriter!();
 * await Promise.all([w.write(head), w.write(tail)]); // lands in call order
 * await w.commit(`data/${packName}`, { ifAbsent: true }); // the SHA-256 of head ‖ tail, in hex
 * ```
 */
export interface ObjectWriter {
  /**
   * Appends `bytes` after everything passed to earlier calls (calls may overlap: each piece lands
   * at its place in call order). Resolves once the bytes are written; only then may the caller
   * change or reuse them.
   */
  write(bytes: Uint8Array): Promise<void>;
  /** Bytes passed to `write` so far. */
  readonly size: number;
  /**
   * Waits for every write, then stores the bytes under `key` atomically, as `put` would (with
   * `ifAbsent`: `ALREADY_EXISTS` if present, and the existing object is left as it was). A failed
   * write fails the commit. The writer is finished afterwards, whatever the outcome.
   */
  commit(key: string, options?: PutOptions): Promise<void>;
  /** Drops everything written; no object appears. Does nothing on a finished writer. */
  abort(): Promise<void>;
}

/** Native abilities of a transport; wrappers and the engine adapt to them. */
export interface TransportCapabilities {
  /** `get` with `range` reads only that range from storage. */
  readonly rangeRead: boolean;
  /** `ifAbsent` is atomic on the storage side. */
  readonly conditionalPut: boolean;
  /** Whether `list` reflects a completed `put` at once. */
  readonly listConsistency: 'strong' | 'eventual';
  /** How many requests the storage handles well in parallel. */
  readonly maxConcurrency: number;
}

/** An object's key and size in bytes. */
export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
}

/** Options every transport call accepts. */
export interface AbortOptions {
  signal?: AbortSignal | undefined;
}

/** Options of {@link Transport.get}. */
export interface GetOptions extends AbortOptions {
  /**
   * Read `length` bytes starting at `offset` instead of the whole object. Past the end:
   * `INVALID_DATA`; negative or non-integer numbers: `RangeError`.
   */
  range?: { offset: number; length: number } | undefined;
  /**
   * A buffer the transport may read into instead of allocating one: when it is large enough, the
   * result may be a view of its first bytes. Only a hint: a transport may ignore it and return
   * new bytes. Reusing one buffer for many reads spares a fresh allocation (and its page faults)
   * per read; the caller must not use `into` for anything else until it is done with the result.
   *
   * @example
   * ```ts
   * const scratch = new Uint8Array(16 << 20);
   * const pack = await transport.get('data/4f3a…', { into: scratch });
   * const reused = pack.buffer === scratch.buffer; // true when the transport used it
   * ```
   */
  into?: Uint8Array | undefined;
  /**
   * What the object holds, when the caller knows: `'tree'` for a pack of tree blobs. Transports
   * ignore it; wrappers may use it (`withCache` keeps tree packs on local disk).
   *
   * @example
   * ```ts
   * const part = await transport.get(`data/${packName}`, { range: { offset: 0, length: 64 }, contents: 'tree' });
   * ```
   */
  contents?: 'tree' | undefined;
}

/** Options of {@link Transport.put}. */
export interface PutOptions extends AbortOptions {
  /** Fail with `ALREADY_EXISTS` instead of replacing an existing object. */
  ifAbsent?: boolean | undefined;
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * Throws `TypeError` unless `key` is a valid object key: `/`-separated segments of
 * `[A-Za-z0-9._-]`, none empty, none starting with `.` (so no `.` / `..`), at most 1024 chars.
 * Transports call this before any I/O, so hostile keys never reach a file system or URL.
 *
 * @example
 * ```ts
 * assertKey('data/4f3a…'); // ok
 * assertKey('../etc/passwd'); // throws TypeError
 * ```
 */
export function assertKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 1024) {
    throw new TypeError(`invalid object key ${JSON.stringify(key)}: expected 1..1024 characters`);
  }
  for (const seg of key.split('/')) {
    if (!SEGMENT.test(seg)) {
      throw new TypeError(`invalid object key ${JSON.stringify(key)}: bad segment ${JSON.stringify(seg)}`);
    }
  }
}

/**
 * Throws `TypeError` unless `prefix` is `''` or a valid key prefix (a key, optionally ending in `/`).
 *
 * @example
 * ```ts
 * assertPrefix('data/'); // ok
 * ```
 */
export function assertPrefix(prefix: string): void {
  if (prefix === '') return;
  assertKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}
