/** A period `[start, end)` in epoch milliseconds, with a label. */
export interface Span {
  start: number;
  end: number;
  name: string;
}

/** Plain numeric period `[start, end)` in epoch milliseconds. */
export interface Range {
  start: number;
  end: number;
}

/** Sorts and unions ranges: touching or overlapping ranges become one; empty ranges vanish. */
export function union<R extends Range>(ranges: readonly R[]): Range[] {
  const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ start: r.start, end: r.end });
  }
  return out;
}

/** Total length of the union of `ranges`. */
export function measure(ranges: readonly Range[]): number {
  let total = 0;
  for (const r of union(ranges)) total += r.end - r.start;
  return total;
}

/** The parts of the union of `a` that lie inside the union of `b`. */
export function intersect(a: readonly Range[], b: readonly Range[]): Range[] {
  const ua = union(a);
  const ub = union(b);
  const out: Range[] = [];
  let j = 0;
  for (const r of ua) {
    while (j < ub.length && ub[j]!.end <= r.start) j++;
    for (let k = j; k < ub.length && ub[k]!.start < r.end; k++) {
      const s = Math.max(r.start, ub[k]!.start);
      const e = Math.min(r.end, ub[k]!.end);
      if (e > s) out.push({ start: s, end: e });
    }
  }
  return out;
}

/** The parts of the union of `a` that lie outside the union of `b`. */
export function subtract(a: readonly Range[], b: readonly Range[]): Range[] {
  const ub = union(b);
  const out: Range[] = [];
  for (const r of union(a)) {
    let cursor = r.start;
    for (const x of ub) {
      if (x.end <= cursor || x.start >= r.end) continue;
      if (x.start > cursor) out.push({ start: cursor, end: x.start });
      cursor = Math.max(cursor, x.end);
    }
    if (cursor < r.end) out.push({ start: cursor, end: r.end });
  }
  return out;
}

/** Cuts the excluded ranges out of one labelled span, keeping the label on each piece. */
export function clip(span: Span, excluded: readonly Range[]): Span[] {
  if (excluded.length === 0) return [span];
  return subtract([span], excluded).map((r) => ({ ...r, name: span.name }));
}

/** Orders spans by start, then end, then name. */
export function bySpan(a: Span, b: Span): number {
  return a.start - b.start || a.end - b.end || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
