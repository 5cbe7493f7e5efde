// Inputs for the DEFLATE encoder tests: byte strings assembled from pieces that exercise every
// path of the encoder (literals, runs, matches at distances up to and past the 32 KiB window,
// text from a small alphabet), plus a generated text corpus shared with the benchmark.
import fc from 'fast-check';
import { xorshiftBytes } from './chunker-input';

/** One piece of an input; `copy` repeats earlier output from `distance` bytes back. */
export type Piece =
  | { kind: 'random'; seed: number; length: number }
  | { kind: 'run'; byte: number; length: number }
  | { kind: 'copy'; distance: number; length: number }
  | { kind: 'text'; seed: number; length: number };

const WORDS = ['the', 'chunk', 'backup', 'await', 'const', 'return', 'error', 'snapshot', '\n', '  ', ';'];

/** Words from a small vocabulary, chosen by xorshift bytes, cut to `length`. */
export function textBytes(seed: number, length: number): Uint8Array {
  const pick = xorshiftBytes(seed, length);
  const out = new Uint8Array(length);
  let o = 0;
  for (let i = 0; o < length; i++) {
    const word = `${WORDS[pick[i]! % WORDS.length]!} `;
    for (let j = 0; j < word.length && o < length; j++) out[o++] = word.charCodeAt(j);
  }
  return out;
}

/** Concatenates the pieces (a copy before any output is skipped; copies may overlap). */
export function assemble(pieces: readonly Piece[]): Uint8Array {
  const total = pieces.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of pieces) {
    if (p.kind === 'random') out.set(xorshiftBytes(p.seed, p.length), o);
    else if (p.kind === 'text') out.set(textBytes(p.seed, p.length), o);
    else if (p.kind === 'run') out.fill(p.byte, o, o + p.length);
    else if (o > 0) {
      const from = o - Math.min(p.distance, o);
      for (let i = 0; i < p.length; i++) out[o + i] = out[from + i]!;
    } else continue;
    o += p.length;
  }
  return out.subarray(0, o);
}

/** Pieces of up to `maxPiece` bytes. */
export function pieceArb(maxPiece: number): fc.Arbitrary<Piece> {
  const length = fc.integer({ min: 1, max: maxPiece });
  const seed = fc.integer({ min: 1, max: 0x7fffffff });
  return fc.oneof(
    fc.record({ kind: fc.constant('random' as const), seed, length }),
    fc.record({ kind: fc.constant('run' as const), byte: fc.integer({ min: 0, max: 255 }), length }),
    fc.record({
      kind: fc.constant('copy' as const),
      // Mostly inside the 32 KiB window, sometimes just past it.
      distance: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 40_000 })),
      length,
    }),
    fc.record({ kind: fc.constant('text' as const), seed, length }),
  );
}

/** Inputs of `minPieces` to `maxPieces` pieces of up to `maxPiece` bytes each. */
export function inputArb(maxPieces: number, maxPiece: number, minPieces = 0): fc.Arbitrary<Uint8Array> {
  return fc.array(pieceArb(maxPiece), { minLength: minPieces, maxLength: maxPieces }).map(assemble);
}
