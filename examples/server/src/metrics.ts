/** Counters and gauges of the server, rendered in the Prometheus text format (version 0.0.4). */

type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, { labels: Labels; value: number }>;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k]!)}"`)
    .join(',');
}

/**
 * A minimal metrics registry. Names follow Prometheus conventions (`_total` for counters, base
 * units: bytes, seconds).
 *
 * @example
 * ```ts
 * const m = new Metrics();
 * m.define('kluis_requests_total', 'counter', 'Requests answered, by operation and status.');
 * m.inc('kluis_requests_total', { op: 'write', status: '200' });
 * const text = m.render();
 * ```
 */
export class Metrics {
  private readonly families = new Map<string, Family>();

  /** Declares a metric family. */
  define(name: string, type: Family['type'], help: string): void {
    this.families.set(name, { help, type, values: new Map() });
  }

  /** Adds `by` (default 1) to a counter or gauge. */
  inc(name: string, labels: Labels = {}, by = 1): void {
    const f = this.family(name);
    const k = labelKey(labels);
    const cur = f.values.get(k);
    if (cur) cur.value += by;
    else f.values.set(k, { labels, value: by });
  }

  /** Sets a gauge. */
  set(name: string, labels: Labels, value: number): void {
    this.family(name).values.set(labelKey(labels), { labels, value });
  }

  /** The current value (0 if never set). */
  get(name: string, labels: Labels = {}): number {
    return this.family(name).values.get(labelKey(labels))?.value ?? 0;
  }

  /** All families in the text exposition format. */
  render(): string {
    const out: string[] = [];
    for (const [name, f] of this.families) {
      out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
      for (const [k, v] of f.values) out.push(`${name}${k ? `{${k}}` : ''} ${v.value}`);
    }
    return `${out.join('\n')}\n`;
  }

  private family(name: string): Family {
    const f = this.families.get(name);
    if (!f) throw new RangeError(`metric ${name} is not defined`);
    return f;
  }
}
