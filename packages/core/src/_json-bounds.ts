// Bounds on JSON read from storage, checked before `JSON.parse`. Internal: never re-exported.
import { KluisError } from './errors';

/** Limits for one kind of stored JSON. */
export interface JsonBounds {
  /** Largest accepted size in bytes (UTF-8). */
  maxBytes: number;
  /** Deepest accepted nesting of arrays and objects. */
  maxDepth: number;
}

const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Refuses JSON bytes that are larger or more deeply nested than `bounds` allow, in one pass over
 * the bytes and without allocating. `JSON.parse` of hostile input (ten megabytes of `[`) otherwise
 * builds millions of objects — ~60 bytes of heap per input byte — before any schema can say no.
 * Brackets inside strings do not count. Anything else malformed is left to `JSON.parse`.
 */
export function checkJsonBounds(bytes: Uint8Array, bounds: JsonBounds, what: string): void {
  if (bytes.length > bounds.maxBytes) {
    throw new KluisError(
      'INVALID_DATA',
      `${what} is ${bytes.length} bytes, more than the ${bounds.maxBytes} it can be (damaged or not written by kluis)`,
    );
  }
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > bounds.maxDepth) {
        throw new KluisError(
          'INVALID_DATA',
          `${what} nests arrays or objects deeper than ${bounds.maxDepth} levels at byte ${i} (damaged or not written by kluis)`,
        );
      }
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      depth--;
    }
  }
}
