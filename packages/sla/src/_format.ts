/** A duration in words: `1 h 40 min`, `3 d 2 h`, `45 s`; with `days: false`, `74 h 2 min`. */
export function formatDuration(ms: number, options: { days?: boolean } = {}): string {
  if (!Number.isFinite(ms)) return 'never';
  const total = Math.round(Math.abs(ms) / 1000);
  const d = options.days === false ? 0 : Math.floor(total / 86_400);
  const h = Math.floor((total - d * 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts: string[] = [];
  if (d) parts.push(`${d} d`);
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (s && !d && !h) parts.push(`${s} s`);
  return `${ms < 0 ? '-' : ''}${parts.join(' ') || '0 min'}`;
}

/** Minutes in words. */
export function formatMinutes(min: number): string {
  return formatDuration(min * 60_000);
}
