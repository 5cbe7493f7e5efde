import { KluisError, throwIfAborted } from './errors';
import {
  type AbortOptions,
  assertKey,
  assertPrefix,
  type GetOptions,
  type ObjectInfo,
  type ObjectWriter,
  type PutOptions,
  type Transport,
} from './transport';

/** Options of {@link memoryTransport}. */
export interface MemoryTransportOptions {
  /** Name reported by the transport. Default `memory`. */
  name?: string;
}

/**
 * A transport that keeps objects in a `Map`, for unit tests and short-lived in-browser use.
 * Bodies are copied on `put` and `get` (and `openWriter`'s writes), so callers may reuse their
 * buffers.
 *
 * @example
 * ```ts
 * const t = memoryTransport();
 * await t.put('config', new TextEncoder().encode('{}'));
 * const bytes = await t.get('config');
 * ```
 */
export function memoryTransport(options: MemoryTransportOptions = {}): Transport {
  const objects = new Map<string, Uint8Array>();
  const store = (key: string, body: Uint8Array, o?: PutOptions) => {
    assertKey(key);
    throwIfAborted(o?.signal);
    if (o?.ifAbsent && objects.has(key))
      throw new KluisError('ALREADY_EXISTS', `object ${key} already exists`);
    objects.set(key, body);
  };
  return {
    name: options.name ?? 'memory',
    capabilities: { rangeRead: true, conditionalPut: true, listConsistency: 'strong', maxConcurrency: 64 },
    async stat(key: string, o?: AbortOptions) {
      assertKey(key);
      throwIfAborted(o?.signal);
      const body = objects.get(key);
      return body ? { key, size: body.length } : undefined;
    },
    async get(key: string, o?: GetOptions) {
      assertKey(key);
      throwIfAborted(o?.signal);
      const body = objects.get(key);
      if (!body) throw new KluisError('NOT_FOUND', `object ${key} not found in ${options.name ?? 'memory'}`);
      return sliceRange(key, body, o?.range).slice();
    },
    async put(key: string, body: Uint8Array, o?: PutOptions) {
      store(key, body.slice(), o);
    },
    async openWriter(o?: AbortOptions) {
      throwIfAborted(o?.signal);
      return piecesWriter(store);
    },
    async delete(key: string, o?: AbortOptions) {
      assertKey(key);
      throwIfAborted(o?.signal);
      objects.delete(key);
    },
    async *list(prefix: string, o?: AbortOptions): AsyncIterable<ObjectInfo> {
      assertPrefix(prefix);
      throwIfAborted(o?.signal);
      for (const [key, body] of [...objects]) {
        if (key.startsWith(prefix)) yield { key, size: body.length };
      }
    },
  };
}

/** An `ObjectWriter` that keeps copies of the pieces and joins them on commit. */
function piecesWriter(store: (key: string, body: Uint8Array, o?: PutOptions) => void): ObjectWriter {
  let parts: Uint8Array[] = [];
  let size = 0;
  let finished = false;
  const finish = (what: string) => {
    if (finished) throw new TypeError(`${what} on a finished object writer`);
    finished = true;
  };
  return {
    get size() {
      return size;
    },
    async write(bytes) {
      if (finished) throw new TypeError('write on a finished object writer');
      parts.push(bytes.slice());
      size += bytes.length;
    },
    async commit(key, o) {
      finish('commit');
      const body = new Uint8Array(size);
      let at = 0;
      for (const p of parts) {
        body.set(p, at);
        at += p.length;
      }
      parts = [];
      store(key, body, o);
    },
    async abort() {
      finished = true;
      parts = [];
    },
  };
}

/**
 * Returns the requested range of `body`, or all of it; a range past the end is `INVALID_DATA`.
 * Shared by transports that read whole objects.
 *
 * @example
 * ```ts
 * sliceRange('data/x', bytes, { offset: 10, length: 4 });
 * ```
 */
export function sliceRange(
  key: string,
  body: Uint8Array,
  range?: { offset: number; length: number },
): Uint8Array {
  if (!range) return body;
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new RangeError(`invalid range ${offset}+${length} for ${key}`);
  }
  if (offset + length > body.length) {
    throw new KluisError(
      'INVALID_DATA',
      `range ${offset}+${length} is past the end of ${key} (${body.length} bytes)`,
    );
  }
  return body.subarray(offset, offset + length);
}
