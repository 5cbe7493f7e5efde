/**
 * The one way kluis bounds work in flight: at most `size` holders of a slot at once, waiters
 * served first come first served.
 *
 * - `run(task)` waits for a slot, runs the task and frees the slot when it settles: use it when
 *   tasks may queue (reading index files, loading trees ahead of a walk).
 * - `start(task)` waits for a slot, starts the task and returns without waiting for it: use it
 *   when the producer must not run ahead of the work (backpressure: packs uploading, reads in
 *   flight in a restore). `idle()` then waits for everything started.
 * - `acquire()` / `release()` hold a slot across callbacks; `acquire` returns `undefined` when a
 *   slot is free at once, so a hot loop does not wait a turn for nothing.
 *
 * @example
 * ```ts
 * const uploads = new Limiter(2);
 * const failures: unknown[] = [];
 * for (const [i, bytes] of [new Uint8Array(8), new Uint8Array(16)].entries()) {
 *   // Waits while two uploads run; a failure is recorded, not thrown, as nobody awaits the task.
 *   await uploads.start(() => transport.put(`data/${i}`, bytes).catch((e) => void failures.push(e)));
 * }
 * await uploads.idle();
 * ```
 */
export class Limiter {
  readonly size: number;
  #free: number;
  #waiters: (() => void)[] = [];
  #idle: (() => void)[] = [];

  constructor(size: number) {
    this.size = Math.max(1, size);
    this.#free = this.size;
  }

  /** Resolves once a slot is held (`undefined`: held at once); pair with exactly one `release()`. */
  acquire(): Promise<void> | undefined {
    if (this.#free > 0) {
      this.#free--;
      return undefined;
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Frees a slot, handing it to the longest waiter if there is one. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) {
      next();
      return;
    }
    this.#free++;
    if (this.#free === this.size) for (const f of this.#idle.splice(0)) f();
  }

  /** Resolves when no slot is held (nothing started is still running). */
  idle(): Promise<void> {
    if (this.#free === this.size) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Runs `task` once a slot is free and settles as it does; the slot is freed either way. */
  async run<T>(task: () => T | PromiseLike<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /**
   * Waits for a free slot, then starts `task` without waiting for it; the slot is freed when the
   * task's promise settles. Nobody awaits that promise, so it must handle its own failure (record
   * it, then resolve). A task that throws before returning its promise frees the slot at once, and
   * `start` rethrows: that is how a producer checks, with the slot in hand, that it should go on.
   */
  async start(task: () => Promise<void>): Promise<void> {
    await this.acquire();
    let running: Promise<void>;
    try {
      running = task();
    } catch (e) {
      this.release();
      throw e;
    }
    void running.finally(() => this.release());
  }
}

/**
 * Runs `fn` over `items`, at most `limit` at once, in order of starting; after a failure nothing
 * more starts, the running calls settle, and the first failure is thrown.
 *
 * @example
 * ```ts
 * await eachLimited(['a', 'b', 'c'], 2, async (name) => transport.put(`locks/${name}`, new Uint8Array(1)));
 * ```
 */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  const slots = new Limiter(limit);
  let failure: { error: unknown } | undefined;
  for (const [index, item] of items.entries()) {
    await slots.acquire();
    if (failure) {
      slots.release();
      break;
    }
    (async () => fn(item, index))()
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => slots.release());
  }
  await slots.idle();
  if (failure) throw failure.error;
}
