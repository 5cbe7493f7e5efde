import { fileURLToPath } from 'node:url';
import { defineProject, mergeConfig, type ViteUserConfig } from 'vitest/config';

/**
 * Shared vitest settings for every workspace: tests run on `src/` through the `@kluis/source`
 * export condition (no build step), any console output from a test fails it, and fast-check runs
 * more iterations in CI than locally.
 */
export function kluisProject(name: string, extra: ViteUserConfig = {}): ViteUserConfig {
  const base = defineProject({
    resolve: { conditions: ['@kluis/source', 'module', 'browser', 'development|production'] },
    ssr: { resolve: { conditions: ['@kluis/source', 'module', 'node', 'development|production'] } },
    test: {
      name,
      environment: 'node',
      setupFiles: [fileURLToPath(new URL('./scripts/vitest-setup.ts', import.meta.url))],
      testTimeout: 60_000,
      hookTimeout: 120_000,
    },
  });
  return mergeConfig(base, extra);
}
