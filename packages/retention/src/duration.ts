import type { Duration } from './types.ts';

const UNITS = { y: 'years', m: 'months', w: 'weeks', d: 'days', h: 'hours' } as const;
type Unit = keyof typeof UNITS;
const ORDER: readonly Unit[] = ['y', 'm', 'w', 'd', 'h'];

/**
 * Parses a compact calendar duration: one or more `<integer><unit>` parts with units
 * `y` (years), `m` (months), `w` (weeks), `d` (days), `h` (hours), each unit at most once, in any
 * order (`1y2m3d3h`, `13d23h`, `4w`). `m` is months, as in restic; there are no minutes.
 * Throws a `RangeError` naming the problem; a zero duration is refused.
 *
 * @example
 * ```ts
 * parseDuration('1m14d'); // { months: 1, days: 14 }
 * ```
 */
export function parseDuration(text: string): Duration {
  if (typeof text !== 'string') throw new TypeError('duration: expected a string such as "7d" or "1y2m"');
  const parts = /^(?:\d+[ymwdh])+$/.test(text) ? [...text.matchAll(/(\d+)([ymwdh])/g)] : [];
  if (parts.length === 0) {
    throw new RangeError(
      `duration "${text}": expected <number><unit> parts with units y, m (months), w, d, h, e.g. "7d" or "1y2m"`,
    );
  }
  const out: Partial<Record<(typeof UNITS)[Unit], number>> = {};
  let total = 0;
  for (const [, digits, unit] of parts) {
    const name = UNITS[unit as Unit];
    if (out[name] !== undefined) throw new RangeError(`duration "${text}": unit "${unit}" appears twice`);
    const n = Number(digits);
    if (!Number.isSafeInteger(n)) throw new RangeError(`duration "${text}": ${digits} is too large`);
    out[name] = n;
    total += n;
  }
  if (total === 0) throw new RangeError(`duration "${text}": must be longer than zero`);
  return out;
}

/**
 * Formats a duration in the compact form {@link parseDuration} reads (units largest first).
 *
 * @example
 * ```ts
 * formatDuration({ days: 14, months: 1 }); // '1m14d'
 * ```
 */
export function formatDuration(d: Duration): string {
  const text = ORDER.map((u) => {
    const n = d[UNITS[u]];
    return n ? `${n}${u}` : '';
  }).join('');
  return text === '' ? '0d' : text;
}

/**
 * True when a duration has no length (all parts zero or absent).
 *
 * @example
 * ```ts
 * isZeroDuration({ days: 0 }); // true
 * ```
 */
export function isZeroDuration(d: Duration): boolean {
  return ORDER.every((u) => !d[UNITS[u]]);
}
