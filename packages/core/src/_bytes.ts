// Small byte helpers shared by the format modules. Internal: never re-exported.

import { fromHex, toHex } from './crypto/hex';

/** Lower-case hex of `bytes`. */
export const hex: (bytes: Uint8Array) => string = toHex;
/** Parses hex; throws TypeError on bad input. */
export const unhex: (s: string) => Uint8Array = (s) => fromHex(s);

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Strict UTF-8 decode (invalid sequences throw). */
export function fromUtf8(b: Uint8Array): string {
  return decoder.decode(b);
}

/** Concatenates byte arrays into one new array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Byte-wise comparison of two equal-purpose arrays (lexicographic). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Constant-time-ish equality for two byte arrays (length leak only). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
