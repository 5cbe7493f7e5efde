import type { CompiledCalendar } from './_calendar.ts';
import { intersect, measure } from './_intervals.ts';

/** A clock that runs either all the time or only inside a calendar's occurrences. */
export interface Clock {
  /** Clock time between instants `a <= b`, in milliseconds. */
  elapsed(a: number, b: number): number;
  /** The instant at which `ms` of clock time have run from `a` (Infinity if never within ten years). */
  add(a: number, ms: number): number;
}

/** Runs all the time. */
export const alwaysClock: Clock = { elapsed: (a, b) => Math.max(0, b - a), add: (a, ms) => a + ms };

/** Runs only inside `calendar` (e.g. business hours). */
export function calendarClock(calendar: CompiledCalendar): Clock {
  return {
    elapsed(a, b) {
      if (b <= a) return 0;
      return measure(intersect([{ start: a, end: b }], calendar.between(a, b)));
    },
    add(a, ms) {
      let remaining = ms;
      let cursor = a;
      if (remaining <= 0) return a;
      for (;;) {
        const spans = calendar.next(cursor, 32, 3660);
        if (spans.length === 0) return Number.POSITIVE_INFINITY;
        for (const span of spans) {
          const s = Math.max(span.start, cursor);
          const available = span.end - s;
          if (available <= 0) continue;
          if (available >= remaining) return s + remaining;
          remaining -= available;
          cursor = span.end;
        }
      }
    },
  };
}
