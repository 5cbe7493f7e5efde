/**
 * A counting semaphore: at most `size` holders at once, waiters served first come first served.
 * Used to let a tree walk run ahead of the work it schedules by a bounded amount.
 */
export class Slots {
  #free: number;
  #waiters: (() => void)[] = [];
  #idle: (() => void)[] = [];

  readonly size: number;

  constructor(size: number) {
    this.size = Math.max(1, size);
    this.#free = this.size;
  }

  /** Resolves once a slot is held; pair with exactly one `release()`. */
  acquire(): Promise<void> | undefined {
    if (this.#free > 0) {
      this.#free--;
      return undefined;
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) {
      next();
      return;
    }
    this.#free++;
    if (this.#free === this.size) for (const f of this.#idle.splice(0)) f();
  }

  /** Resolves when no slot is held (nothing scheduled is still running). */
  idle(): Promise<void> {
    if (this.#free === this.size) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}
