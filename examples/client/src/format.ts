/** Human-readable sizes (binary units), durations and short IDs for CLI output. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

export function seconds(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * The one way the CLI shows a moment: UTC, ISO 8601 to the second, with its `Z` (the same in
 * `snapshots`, `ls`, `forget` and `key list`, whatever the machine's zone).
 */
export function timestamp(time: string | number | Date): string {
  const d = new Date(time);
  return Number.isNaN(d.getTime()) ? String(time) : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Every ISO 8601 UTC time in `text` (as the retention explanation writes them) to the second. */
export function timestampsIn(text: string): string {
  return text.replace(/(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?Z/g, '$1Z');
}

export function short(id: string): string {
  return id.slice(0, 8);
}

/** Left-aligned text table. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return (
    rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') +
    '\n'
  );
}
