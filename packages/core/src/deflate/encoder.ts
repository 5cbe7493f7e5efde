// Runtime of the WebAssembly raw DEFLATE encoder (assembly/deflate.ts). One module instance
// serves every caller: encoding is synchronous, so calls never interleave. Internal.
import { decodeBase64 } from '../crypto/base64';
import { DEFLATE_WASM_BASE64 } from './_deflate-wasm';

/** The exports of deflate.wasm. */
interface DeflateExports {
  memory: WebAssembly.Memory;
  /** Makes room for n input bytes; returns where to write them, or 0 when memory cannot grow. */
  prepare(n: number): number;
  /** Compresses the n bytes written at prepare(n)'s address; returns the compressed size. */
  compress(n: number): number;
  /** Address of the output of the last compress(). */
  output(): number;
}

/**
 * Largest input encoded in one call (256 MiB). The module needs about twice the input in
 * memory, and WebAssembly memory never shrinks: chunks are far smaller than this.
 */
export const MAX_WASM_DEFLATE_INPUT = 256 << 20;

let instance: DeflateExports | undefined;
let loading: Promise<DeflateExports> | undefined;

function moduleBytes(): Uint8Array<ArrayBuffer> {
  return decodeBase64(DEFLATE_WASM_BASE64) as Uint8Array<ArrayBuffer>;
}

/**
 * The instance, created synchronously on first use. Throws where the host forbids compiling
 * this module synchronously (the main thread of some browsers); use {@link loadWasmDeflate}.
 */
function instanceSync(): DeflateExports {
  if (instance === undefined) {
    const module = new WebAssembly.Module(moduleBytes());
    instance = new WebAssembly.Instance(module).exports as unknown as DeflateExports;
  }
  return instance;
}

/** Instantiates the module asynchronously (once), for hosts that forbid compiling it synchronously. */
export function loadWasmDeflate(): Promise<void> {
  if (instance !== undefined) return Promise.resolve();
  if (loading === undefined) {
    loading = WebAssembly.instantiate(moduleBytes()).then((r) => {
      instance ??= r.instance.exports as unknown as DeflateExports;
      return instance;
    });
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading.then(() => {});
}

/** Whether the module is instantiated (so {@link wasmDeflateSync} cannot fail to load it). */
export function wasmDeflateLoaded(): boolean {
  return instance !== undefined;
}

/**
 * Raw DEFLATE (RFC 1951) of `data`, synchronously. The output depends only on the input.
 * Throws RangeError for inputs over {@link MAX_WASM_DEFLATE_INPUT} or when memory runs out.
 */
export function wasmDeflateSync(data: Uint8Array): Uint8Array {
  if (data.length > MAX_WASM_DEFLATE_INPUT) {
    throw new RangeError(
      `input of ${data.length} bytes exceeds ${MAX_WASM_DEFLATE_INPUT} (compress smaller pieces)`,
    );
  }
  const x = instanceSync();
  const at = x.prepare(data.length) >>> 0;
  if (at === 0) throw new RangeError(`no memory to compress ${data.length} bytes`);
  new Uint8Array(x.memory.buffer, at, data.length).set(data);
  const n = x.compress(data.length) >>> 0;
  return new Uint8Array(x.memory.buffer, x.output() >>> 0, n).slice();
}
