/** A byte range to serve: `length` bytes from `offset`. */
export interface ByteRange {
  offset: number;
  length: number;
}

const SINGLE = /^bytes=(\d*)-(\d*)$/;

/**
 * Interprets a `Range` header against an object of `size` bytes, as RFC 9110 says: `undefined`
 * serves the whole object (no header, a malformed one, several ranges, or an empty object, which
 * restic's client may ask for with `bytes=0-`), `'unsatisfiable'` answers 416, otherwise the range
 * clamped to the object's end.
 */
export function parseRange(header: string | null, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (header === null || size === 0) return undefined;
  const m = SINGLE.exec(header.trim());
  if (!m) return undefined;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const n = Number(b);
    if (!Number.isSafeInteger(n)) return undefined;
    if (n === 0) return 'unsatisfiable';
    const offset = Math.max(0, size - n);
    return { offset, length: size - offset };
  }
  const first = Number(a);
  const last = b === '' ? size - 1 : Number(b);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last < first) return undefined;
  if (first >= size) return 'unsatisfiable';
  return { offset: first, length: Math.min(last, size - 1) - first + 1 };
}
