// Pure formatting helpers of the restore page (tested in Node).

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `1536` → `1.5 KiB`, as the CLI prints sizes. */
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) [v, u] = [v / 1024, u + 1];
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${UNITS[u]}`;
}

/** Seconds as `42 s`, `3 min 5 s`, `2 h 10 min`; `—` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A time as the reader's local date and time, to the minute. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Progress of a transfer: a sliding window of samples gives the rate and the time left. */
export class Rate {
  readonly #samples: { t: number; bytes: number }[] = [];
  constructor(private readonly windowMs = 5000) {}

  /** Records that `bytes` are done at time `t` (ms). */
  add(t: number, bytes: number): void {
    this.#samples.push({ t, bytes });
    while (this.#samples.length > 2 && t - this.#samples[0]!.t > this.windowMs) this.#samples.shift();
  }

  /** Bytes per second over the window, 0 before two samples. */
  get bytesPerSecond(): number {
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    if (!first || !last || last.t <= first.t) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.t - first.t);
  }

  /** Seconds until `total` at the current rate (`Infinity` while the rate is unknown). */
  secondsLeft(done: number, total: number): number {
    const rate = this.bytesPerSecond;
    return rate > 0 ? Math.max(0, total - done) / rate : Number.POSITIVE_INFINITY;
  }
}

/** `*term*` for a plain search word; a pattern with glob characters is used as it is. */
export function searchPattern(input: string): string {
  const q = input.trim();
  return /[*?[]/.test(q) ? q : `*${q}*`;
}

/** A repository path as typed (`/alice/laptop/`, `alice/laptop`) in the form `alice/laptop`. */
export function normaliseRepoPath(input: string): string {
  return input.trim().replace(/^\/+|\/+$/g, '');
}
