import fc from 'fast-check';
import { afterEach, beforeEach, vi } from 'vitest';

// More fast-check iterations in CI than in a local run; a failing property prints its seed.
fc.configureGlobal({
  numRuns: process.env.CI ? 200 : 60,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
});

const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
let logged: string[] = [];

beforeEach(() => {
  logged = [];
  for (const m of methods) {
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      logged.push(`console.${m}: ${args.map(String).join(' ')}`);
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  if (logged.length > 0) {
    throw new Error(`a test wrote to the console (library code must not):\n${logged.join('\n')}`);
  }
});
