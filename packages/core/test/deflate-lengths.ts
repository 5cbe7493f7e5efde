// Direct access to the encoder's Huffman code-length builder, through a module built from the same
// AssemblyScript source as deflate.wasm (assembly/deflate-lengths.ts).
import { DEFLATE_LENGTHS_WASM_BASE64 } from './deflate-lengths-wasm';

interface LengthExports {
  memory: WebAssembly.Memory;
  lengthsInput(): number;
  codeLengths(n: number, limit: number): number;
}

const x = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(DEFLATE_LENGTHS_WASM_BASE64, 'base64')))
  .exports as unknown as LengthExports;

/** Code lengths (≤ `limit`) for up to 288 frequencies, each below 2^23. */
export function codeLengths(freqs: readonly number[], limit: number): number[] {
  new Uint32Array(x.memory.buffer, x.lengthsInput(), freqs.length).set(freqs);
  const at = x.codeLengths(freqs.length, limit);
  return [...new Uint8Array(x.memory.buffer, at, freqs.length)];
}

/** Total bits of an optimal (unlimited) Huffman code for the frequencies. */
export function optimalBits(freqs: readonly number[]): number {
  const queue = freqs.filter((f) => f > 0).sort((a, b) => a - b);
  let bits = 0;
  while (queue.length > 1) {
    const w = queue.shift()! + queue.shift()!;
    bits += w;
    let i = queue.findIndex((q) => q > w);
    if (i < 0) i = queue.length;
    queue.splice(i, 0, w);
  }
  return bits;
}
