// Buffers that pack reads are made into and handed back after use. Internal.

/** Reads smaller than this get no pooled buffer: malloc serves them from memory it reuses anyway. */
const MIN_POOLED = 128 << 10;
/** Pooled buffers are sized in these steps, so one fits many later reads. */
const STEP = 1 << 20;

/**
 * A few recycled buffers for large reads (`GetOptions.into`). Each fresh buffer costs a page
 * fault per 4 KiB as it is first written, ~10 µs each on some virtual machines: page faults were
 * a fifth of `check --read-data`'s CPU time, and reading packs into fresh memory nearly half of
 * them.
 * Buffers come back from the decoder after use (`BlobDecoder.verify`, and `writeFiles` in a
 * restore, where 335 of the 382 large reads of the 508 MB benchmark restore found one to reuse).
 */
export class ReadBuffers {
  readonly #free: ArrayBuffer[] = [];
  #bytes = 0;

  constructor(
    /** Most free buffers kept. */
    readonly keep: number,
    /** Most bytes kept in free buffers. */
    readonly maxBytes: number,
  ) {}

  /** A buffer of at least `length` bytes (the smallest free one that fits, or a new one), or none for a small read. */
  take(length: number): Uint8Array | undefined {
    if (length < MIN_POOLED) return undefined;
    let best = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const size = this.#free[i]!.byteLength;
      if (size >= length && (best < 0 || size < this.#free[best]!.byteLength)) best = i;
    }
    if (best < 0) return new Uint8Array(Math.ceil(length / STEP) * STEP);
    const [buffer] = this.#free.splice(best, 1);
    this.#bytes -= buffer!.byteLength;
    return new Uint8Array(buffer!);
  }

  /**
   * Hands back the buffer behind `bytes`, all of which the caller owns (from `take`, or owned as
   * `read` says). A decoder's answer may be passed as it is: anything but bytes, a detached
   * buffer (moved to a thread) or a small one is ignored.
   */
  give(bytes: unknown): void {
    const buffer = bytes instanceof Uint8Array ? bytes.buffer : undefined;
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < MIN_POOLED) return;
    this.#free.push(buffer);
    this.#bytes += buffer.byteLength;
    // Over the limits, the smallest buffers go first: the large ones fit every read.
    while (this.#free.length > this.keep || (this.#bytes > this.maxBytes && this.#free.length > 1)) {
      let smallest = 0;
      for (let i = 1; i < this.#free.length; i++)
        if (this.#free[i]!.byteLength < this.#free[smallest]!.byteLength) smallest = i;
      this.#bytes -= this.#free.splice(smallest, 1)[0]!.byteLength;
    }
  }

  /**
   * Reads with `read` into a pooled buffer when the read is large enough. `owned` says whether all
   * of `bytes.buffer` is the caller's: a pooled buffer, or one the transport made for this read
   * and the view covers. Owned bytes are passed to the decoder as `owned` (it may move the buffer
   * to a thread) and the buffer is handed back with `give` once the decoder is done; bytes that
   * are a view of a larger buffer the transport made are neither moved nor kept.
   */
  async read(
    length: number,
    read: (into: Uint8Array | undefined) => Promise<Uint8Array>,
  ): Promise<{ bytes: Uint8Array; owned: boolean }> {
    const into = this.take(length);
    const bytes = await read(into);
    const pooled = into !== undefined && bytes.buffer === into.buffer;
    if (into && !pooled) this.give(into);
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    return { bytes, owned: pooled || whole };
  }
}
