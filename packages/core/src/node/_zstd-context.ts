// One zstd compression context per thread, reused frame after frame. Internal.
//
// node:zlib's zstdCompressSync creates a zstd context (about a megabyte of tables at level 3)
// for every call and frees it afterwards. On encoder threads that is ~15,000 contexts for a
// 1 GB backup, and glibc keeps the freed memory in per-thread arenas: peak RSS of a first backup
// rose by 55–80 MB against DEFLATE (docs/benchmarks.md). node:zlib has no public synchronous
// call that keeps its context, but its stream objects do keep one: the native handle of a
// ZstdCompress stream compresses synchronously with `writeSync`, and a frame ended with
// ZSTD_e_end leaves the context ready for the next frame. zstd also reads a whole input given
// with ZSTD_e_end as the frame's size (what `pledgedSrcSize` said), so each frame is the one
// zstdCompressSync writes, byte for byte when the output room is offered the same way: checked
// on the first frame of every thread, and by test/codecs.prop.test.ts on every kind of input.
//
// The handle (`_handle`, `_writeState`) is node:zlib's internal interface, the same one its own
// synchronous functions drive. Where it is missing or answers differently (another runtime or
// version), or a call fails, compression falls back to one zstdCompressSync per call.

export interface ZstdHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOffset: number,
    inLength: number,
    output: Uint8Array,
    outOffset: number,
    outLength: number,
  ): void;
  close(): void;
}
export interface ZstdStream {
  _handle?: ZstdHandle | null;
  /** [avail_out, avail_in] after each write. */
  _writeState?: Uint32Array;
  destroyed: boolean;
  on(event: 'error', f: (e: unknown) => void): unknown;
}
interface ZstdApi {
  zstdCompressSync(
    data: Uint8Array,
    o: { params: Record<number, number>; pledgedSrcSize: number; chunkSize: number },
  ): Buffer;
  createZstdCompress(o: { params: Record<number, number> }): ZstdStream;
}

/** ZSTD_c_compressionLevel and ZSTD_e_end (stable zstd numbers). */
const ZSTD_LEVEL = 100;
const ZSTD_E_END = 2;
/** The output buffer kept between calls is dropped when larger than this (a rare huge input). */
const KEEP_OUTPUT = 9 << 20;

/** zstd's ZSTD_compressBound: the largest frame an input of `n` bytes can give. */
export function zstdBound(n: number): number {
  return n + (n >>> 8) + (n < 128 << 10 ? ((128 << 10) - n) >>> 11 : 0);
}

/**
 * A synchronous zstd compressor at `level` that keeps one context for all its calls (so one per
 * thread: each worker thread loads its own copy of this module). `reused()` tells whether the
 * context is in use (false: the runtime's handle is not usable, so every call makes a context).
 */
export function reusedZstdCompressor(api: ZstdApi, level: number) {
  const params = { [ZSTD_LEVEL]: level };
  /** One call, one context: node:zlib's own function, with the options kluis always used. */
  const oneShot = (data: Uint8Array): Uint8Array => {
    const b = api.zstdCompressSync(data, {
      params,
      pledgedSrcSize: data.length,
      chunkSize: Math.min(8 << 20, Math.max(64, data.length + 64)),
    });
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  };
  let ctx: { stream: ZstdStream; handle: ZstdHandle; state: Uint32Array } | undefined;
  /** Set once the handle proved unusable: every later call goes to `oneShot`. */
  let unusable = false;
  let out = new Uint8Array(0);

  const open = () => {
    try {
      const stream = api.createZstdCompress({ params });
      const { _handle: handle, _writeState: state } = stream;
      if (!handle || typeof handle.writeSync !== 'function' || !(state instanceof Uint32Array)) {
        unusable = true;
        return undefined;
      }
      // An error of the handle is reported through the stream: without a listener it would be
      // thrown later as an uncaught 'error' event. `destroyed` tells it after each write.
      stream.on('error', () => {});
      ctx = { stream, handle, state };
    } catch {
      unusable = true;
    }
    return ctx;
  };

  /**
   * One frame through the kept context; undefined when the context failed (it is dropped).
   * zstd's frame depends on how much output room each call offers (an incompressible input
   * larger than its room is cut into blocks differently), so the room is offered exactly as
   * zstdCompressSync offers it: `chunkSize` bytes, and `chunkSize` more each time they fill.
   */
  const frame = (c: NonNullable<typeof ctx>, data: Uint8Array): Uint8Array | undefined => {
    const chunkSize = Math.min(8 << 20, Math.max(64, data.length + 64));
    let at = 0;
    let inAt = 0;
    for (;;) {
      if (out.length < at + chunkSize) {
        const grown = new Uint8Array(Math.max(at + chunkSize, zstdBound(data.length), 64 << 10));
        grown.set(out.subarray(0, at));
        out = grown;
      }
      try {
        c.handle.writeSync(ZSTD_E_END, data, inAt, data.length - inAt, out, at, chunkSize);
      } catch {
        drop();
        return undefined;
      }
      if (c.stream.destroyed) {
        drop();
        return undefined;
      }
      const availOut = c.state[0]!;
      const availIn = c.state[1]!;
      at += chunkSize - availOut;
      inAt = data.length - availIn;
      if (availOut !== 0) break;
    }
    if (inAt !== data.length) {
      drop();
      return undefined;
    }
    const frameBytes = out.slice(0, at);
    if (out.length > KEEP_OUTPUT) out = new Uint8Array(0);
    return frameBytes;
  };

  const drop = () => {
    try {
      ctx?.handle.close();
    } catch {}
    ctx = undefined;
  };

  let checked = false;
  const compress = (data: Uint8Array): Uint8Array => {
    if (unusable) return oneShot(data);
    const c = ctx ?? open();
    if (!c) return oneShot(data);
    if (!checked) {
      // The first frame is compared with node:zlib's own: any difference, and this runtime
      // keeps making a context per call.
      checked = true;
      const mine = frame(c, data);
      const theirs = oneShot(data);
      if (!mine || !sameBytes(mine, theirs)) {
        drop();
        unusable = true;
      }
      return theirs;
    }
    return frame(c, data) ?? oneShot(data);
  };
  return { compress, reused: () => !unusable && checked };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
