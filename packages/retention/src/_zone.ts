import { Temporal as Polyfill } from 'temporal-polyfill';
import type { Duration, Period } from './types.ts';

type TemporalNs = typeof Polyfill;

/** The native Temporal when the runtime has it, else the polyfill (same API, same answers). */
export const Temporal: TemporalNs = (globalThis as { Temporal?: TemporalNs }).Temporal ?? Polyfill;

/** Whether `zone` names a time zone Temporal knows (IANA name or fixed offset). */
export function isValidZone(zone: string): boolean {
  try {
    Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(zone);
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds since the epoch of a `Date` or ISO instant string; throws a readable error. */
export function toEpochMs(value: Date | string, field: string): number {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw new RangeError(`${field}: invalid Date`);
    return ms;
  }
  if (typeof value !== 'string')
    throw new TypeError(`${field}: expected a Date or an ISO 8601 instant string`);
  try {
    return Temporal.Instant.from(value).epochMilliseconds;
  } catch {
    throw new RangeError(
      `${field}: "${value}" is not an ISO 8601 instant (it needs a date, a time and an offset or Z, e.g. 2026-03-01T02:00:00Z)`,
    );
  }
}

/** ISO string of an epoch-ms instant (UTC, `Z`, always with milliseconds). */
export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Bucket labels of one instant for every calendar period. */
export type BucketLabels = Readonly<Record<Period, string>>;

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function offsetText(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const s = Math.abs(Math.round(offsetMs / 1000));
  const sec = s % 60;
  return `${sign}${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}${sec === 0 ? '' : `:${pad(sec)}`}`;
}

const clocks = new Map<string, ZoneClock>();

/** A shared clock per zone, so repeated evaluations reuse the memoised offsets and labels. */
export function clockFor(zone: string): ZoneClock {
  let c = clocks.get(zone);
  if (c === undefined) {
    if (clocks.size >= 16) clocks.clear();
    c = new ZoneClock(zone);
    clocks.set(zone, c);
  }
  return c;
}

/**
 * Wall-clock arithmetic in one time zone. Offsets come from Temporal (native or polyfill) and are
 * memoised: an offset equal at both ends of a UTC day (or hour) holds for all of it; only the
 * hour of a transition is asked instant by instant. Calendar fields and arithmetic then run on
 * plain numbers, which simulations over years of hourly versions need.
 */
export class ZoneClock {
  readonly zone: string;
  readonly #offsets = new Map<number, number>();
  readonly #spans = new Map<string, number | null>();
  readonly #labels = new Map<number, BucketLabels>();

  constructor(zone: string) {
    this.zone = zone;
  }

  #exact(ms: number): number {
    // Bounded memory: a long-lived clock forgets and relearns (the answers do not change).
    if (this.#offsets.size > 100_000) this.#offsets.clear();
    let o = this.#offsets.get(ms);
    if (o === undefined) {
      o = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(this.zone).offsetNanoseconds / 1e6;
      this.#offsets.set(ms, o);
    }
    return o;
  }

  #span(start: number, length: number): number | null {
    const key = `${start}/${length}`;
    let o = this.#spans.get(key);
    if (o === undefined) {
      if (this.#spans.size > 100_000) this.#spans.clear();
      const a = this.#exact(start);
      o = a === this.#exact(start + length - 1) ? a : null;
      this.#spans.set(key, o);
    }
    return o;
  }

  /** The zone's UTC offset in milliseconds at an instant. */
  offsetAt(ms: number): number {
    const day = Math.floor(ms / DAY) * DAY;
    const d = this.#span(day, DAY);
    if (d !== null) return d;
    const h = this.#span(Math.floor(ms / HOUR) * HOUR, HOUR);
    return h ?? this.#exact(ms);
  }

  /** The instant of a wall-clock time (ms on a UTC-based scale), as Temporal's `compatible` resolves it. */
  fromWall(wall: number): number {
    const before = this.offsetAt(wall - DAY);
    const after = this.offsetAt(wall + DAY);
    const valid = [...new Set([before, after])]
      .map((o) => wall - o)
      .filter((t) => wall - this.offsetAt(t) === t);
    if (valid.length === 0) return wall - before; // skipped time (clocks jump forward): move forward by the gap
    return Math.min(...valid); // repeated time (clocks go back): the first occurrence
  }

  /** `ms` shifted by `sign` × a calendar duration (months clamp to the month's end; hours are elapsed). */
  shift(ms: number, d: Duration, sign: 1 | -1): number {
    const wall = new Date(ms + this.offsetAt(ms));
    const months = sign * ((d.years ?? 0) * 12 + (d.months ?? 0));
    if (months !== 0) {
      const y = wall.getUTCFullYear();
      const m = wall.getUTCMonth() + months;
      const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
      wall.setUTCFullYear(y, m, Math.min(wall.getUTCDate(), last));
    }
    const days = sign * ((d.weeks ?? 0) * 7 + (d.days ?? 0));
    const dated = days === 0 && months === 0 ? ms : this.fromWall(wall.getTime() + days * DAY);
    return dated + sign * (d.hours ?? 0) * HOUR;
  }

  /** The bucket of an instant for every period; hours carry their offset (a repeated hour is two buckets). */
  labels(ms: number): BucketLabels {
    let out = this.#labels.get(ms);
    if (out !== undefined) return out;
    if (this.#labels.size > 100_000) this.#labels.clear();
    const offset = this.offsetAt(ms);
    const w = new Date(ms + offset);
    const [y, mo, da] = [w.getUTCFullYear(), w.getUTCMonth() + 1, w.getUTCDate()];
    const date = `${pad(y, 4)}-${pad(mo)}-${pad(da)}`;
    // ISO week: the week (Monday–Sunday) belongs to the year of its Thursday.
    const thursday = new Date(Date.UTC(y, mo - 1, da + 3 - ((w.getUTCDay() + 6) % 7)));
    const weekYear = thursday.getUTCFullYear();
    const week = Math.floor((thursday.getTime() - Date.UTC(weekYear, 0, 1)) / (7 * DAY)) + 1;
    out = {
      hourly: `${date}T${pad(w.getUTCHours())}:00${offsetText(offset)}`,
      daily: date,
      weekly: `${pad(weekYear, 4)}-W${pad(week)}`,
      monthly: `${pad(y, 4)}-${pad(mo)}`,
      quarterly: `${pad(y, 4)}-Q${Math.ceil(mo / 3)}`,
      yearly: pad(y, 4),
    };
    this.#labels.set(ms, out);
    return out;
  }
}
