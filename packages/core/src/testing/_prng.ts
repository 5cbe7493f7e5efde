/**
 * A small seeded pseudo-random generator (32-bit state, splitmix-style output mixing): enough to
 * make test data and fault decisions reproducible from a seed. Not for cryptography.
 */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 0x1_0000_0000;
  };
}

/** `length` reproducible pseudo-random bytes for `seed` (fast enough for tens of MiB). */
export function seededBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  const words = new Uint32Array(out.buffer, 0, length >>> 2);
  let x = (seed ^ 0x2545f491) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  for (let i = words.length * 4; i < length; i++) out[i] = (seed + i) & 0xff;
  return out;
}

/** A 64-character lowercase hex ID, like the SHA-256 names of repository files. */
export function hexId(next: () => number, prefix = ''): string {
  let s = prefix;
  while (s.length < 64) s += Math.floor(next() * 16).toString(16);
  return s;
}
