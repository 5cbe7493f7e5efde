// The nesting depth of JSON text, without parsing it. Internal.

/**
 * Whether `text` nests arrays and objects deeper than `max` (brackets inside strings do not
 * count). `JSON.parse` of a hostile answer such as ten megabytes of `[` builds millions of arrays
 * before a schema can refuse it; this refuses it first, in one pass and without allocating.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
