// Cost of the per-request maintenance check and of a month's report.
// Run: npx tsx --conditions=@kluis/source packages/sla/bench/hook.ts
import { createSla } from '../src/index.ts';

const sla = createSla();
const check = sla.unavailabilityCheck();

function time(label: string, n: number, f: (i: number) => unknown): void {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f(i);
  const ms = performance.now() - t0;
  console.log(`${label.padEnd(34)} ${((ms * 1000) / n).toFixed(1).padStart(8)} µs/op`);
}

const weekday = Date.parse('2026-03-30T10:00:00+02:00');
const saturday = Date.parse('2026-03-28T10:00:00+01:00');
time('isUnavailable (outside window)', 5000, (i) => check(weekday + i * 1000));
time('isUnavailable (inside window)', 2000, (i) => check(saturday + i * 1000));
time('report for a month (no incidents)', 20, () => sla.report({ month: '2026-03' }));
time('checkSchedule over 5 years', 3, () => sla.checkSchedule({ from: '2026-01-01', years: 5 }));
