// Test access to the DEFLATE encoder's Huffman code-length builder (the very code deflate.ts
// compiles in), as a module of its own so that the shipped encoder exports nothing for tests.
// Built by scripts/build-wasm.mjs into test/deflate-lengths-wasm.ts; used by test/deflate-lengths.ts.

import { buildLengths } from './deflate/huffman';

const TEST_FREQS: usize = memory.data(288 * 4, 4);
const TEST_LENS: usize = memory.data(288);

/** Where a test writes up to 288 u32 frequencies (each below 2^23) for codeLengths(). */
export function lengthsInput(): usize {
  return TEST_FREQS;
}

/** The encoder's Huffman code lengths for the n frequencies at lengthsInput(), as n bytes. */
export function codeLengths(n: i32, limit: i32): usize {
  buildLengths(TEST_FREQS, n, limit, TEST_LENS);
  return TEST_LENS;
}
