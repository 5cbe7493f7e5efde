// Simulates hourly backups for two years under a Time Machine-like policy and prints the time
// taken and what remains each month. Run: npx tsx --conditions=@kluis/source packages/retention/bench/simulate.ts
import { simulate } from '../src/index.ts';

for (const zone of ['UTC', 'Europe/Amsterdam']) {
  const started = performance.now();
  const r = simulate(
    {
      zone,
      rules: [
        { kind: 'hourly', count: 'all', within: '24h' },
        { kind: 'daily', count: 'all', within: '1m' },
        { kind: 'weekly', count: 'all' },
      ],
    },
    { start: '2026-01-01T00:00:00Z', end: '2027-12-31T23:00:00Z', every: '1h', report: '1m' },
  );
  const ms = performance.now() - started;
  console.log(
    `${zone}: ${r.created} hourly versions, ${(ms / 1000).toFixed(1)} s (${((ms * 1000) / r.created).toFixed(0)} µs per evaluation)`,
  );
  console.log(`  remaining per month: ${r.points.map((p) => p.count).join(' ')}`);
}
