import type { ZstdHandle, ZstdStream } from './_zstd-context';

// One zstd decompression context per thread, kept while frames decode cleanly. Internal.
// A module apart from the compressor's: the decoder worker loads no compressor.
//
// zstdDecompressSync makes a context (its window and entropy tables) for every call and frees it
// afterwards: on Node 24 that cost restore and `check --read-data` about as much CPU as the
// decompression itself (docs/benchmarks.md). A ZstdDecompress stream's native handle keeps its
// context: written with ZSTD_e_end, a whole frame in and room for more than its recorded
// length, it decodes the frame and is ready for the next.
//
// Safety rule: the kept context is used only while every frame decodes cleanly. On anything else
// (the handle throws or reports an error, the frame is truncated, damaged, larger or smaller than
// recorded, has bytes after it, or the call is interrupted) the context is discarded and never
// called again, and that frame is decoded once more by zstdDecompressSync, so its result or its
// error is exactly what it was before. node:zlib closes a handle itself when it reports an error;
// calling that handle again (even `reset`) crashes Node 24 with a segmentation fault, which is why
// an errored handle is dropped without another call, and a healthy one only gets `close`.

/** ZSTD_e_end (a stable zstd number). */
const ZSTD_E_END = 2;

interface ZstdDecompressApi {
  zstdDecompressSync(data: Uint8Array, o: { maxOutputLength: number; chunkSize: number }): Buffer;
  createZstdDecompress(): ZstdStream;
}

/**
 * A synchronous zstd decompressor that keeps one context for all its calls while they succeed
 * (one per thread: each worker thread loads its own copy of this module). `decompress` answers
 * exactly as `zstdDecompressSync` with kluis's options followed by the length check does, errors
 * included. `contexts()` counts the contexts made for kept use (1 while every frame is clean).
 */
export function reusedZstdDecompressor(api: ZstdDecompressApi) {
  /** One call, one context: node:zlib's own function, with the options kluis always used. */
  const oneShot = (data: Uint8Array, rawLength: number): Uint8Array => {
    const b = api.zstdDecompressSync(data, {
      maxOutputLength: Math.max(1, rawLength),
      chunkSize: Math.min(8 << 20, Math.max(64, rawLength + 1)),
    });
    // Refused like the portable decoder refuses it, so both behave alike.
    if (b.length !== rawLength)
      throw new RangeError(`zstd frame does not decode to its recorded length ${rawLength}`);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  };
  let ctx: { stream: ZstdStream; handle: ZstdHandle; state: Uint32Array } | undefined;
  let unusable = false;
  let made = 0;

  const open = () => {
    try {
      const stream = api.createZstdDecompress();
      const { _handle: handle, _writeState: state } = stream;
      if (!handle || typeof handle.writeSync !== 'function' || !(state instanceof Uint32Array)) {
        unusable = true;
        return undefined;
      }
      // node:zlib reports a handle's error by destroying the stream, which emits 'error' later.
      stream.on('error', () => {});
      made++;
      ctx = { stream, handle, state };
    } catch {
      unusable = true;
    }
    return ctx;
  };

  /** The frame through the kept context, or undefined (the context discarded) when not clean. */
  const kept = (c: NonNullable<typeof ctx>, data: Uint8Array, rawLength: number) => {
    // At least one byte of room more than recorded (a frame that fills it is larger than
    // recorded), and as much as zstdDecompressSync offers first: with room for the whole
    // content zstd decodes the frame in one pass, and checks it the same way.
    const room = Math.max(64, rawLength + 1);
    const out = new Uint8Array(room);
    let clean = false;
    try {
      c.handle.writeSync(ZSTD_E_END, data, 0, data.length, out, 0, room);
      // Clean: no error reported, exactly `rawLength` bytes out, every input byte read.
      clean = !c.stream.destroyed && c.state[0] === room - rawLength && c.state[1] === 0;
    } catch {}
    if (clean) return out.subarray(0, rawLength);
    ctx = undefined;
    // A handle that reported an error was closed by node:zlib (the stream is destroyed): it gets
    // no further call. One that only answered oddly is healthy, and closed as streams close it.
    if (!c.stream.destroyed) {
      try {
        c.handle.close();
      } catch {}
    }
    return undefined;
  };

  const decompress = (data: Uint8Array, rawLength: number): Uint8Array => {
    // Only an input that is exactly one whole zstd frame of the recorded size reaches the kept
    // context: node:zlib reports a frame cut short as an error on a new context but not always
    // on one that has decoded frames before, so anything else is decoded as it always was.
    if (unusable || !isWholeZstdFrame(data, rawLength)) return oneShot(data, rawLength);
    const c = ctx ?? open();
    if (!c) return oneShot(data, rawLength);
    return kept(c, data, rawLength) ?? oneShot(data, rawLength);
  };
  return { decompress, reused: () => !unusable && made > 0, contexts: () => made };
}

/**
 * Whether `data` is exactly one whole zstd frame that records `rawLength` as its content size,
 * read from its header and block headers (RFC 8878, section 3.1.1): false when it is shorter or
 * longer, has another magic number (a skippable frame included), no content size, another one,
 * a reserved bit or block type set. Reads only headers, one per block (at most 128 KiB of output
 * each).
 */
export function isWholeZstdFrame(data: Uint8Array, rawLength: number): boolean {
  const n = data.length;
  if (n < 6 || data[0] !== 0x28 || data[1] !== 0xb5 || data[2] !== 0x2f || data[3] !== 0xfd) return false;
  const fhd = data[4]!;
  if (fhd & 0x08) return false;
  const single = (fhd >> 5) & 1;
  const fcsBytes = [single, 2, 4, 8][fhd >> 6]!;
  if (fcsBytes === 0) return false;
  let at = 5 + (single ? 0 : 1) + [0, 1, 2, 4][fhd & 3]!;
  if (at + fcsBytes > n) return false;
  let size = 0;
  for (let i = fcsBytes - 1; i >= 0; i--) size = size * 256 + data[at + i]!;
  if (fcsBytes === 2) size += 256;
  if (size !== rawLength) return false;
  at += fcsBytes;
  for (;;) {
    if (at + 3 > n) return false;
    const h = data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16);
    const type = (h >> 1) & 3;
    if (type === 3) return false;
    at += 3 + (type === 1 ? 1 : h >>> 3);
    if (h & 1) break;
  }
  return at + (fhd & 0x04 ? 4 : 0) === n;
}
