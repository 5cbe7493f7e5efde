import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'examples/*/vitest.config.ts',
      // The server's tests once more on PostgreSQL.
      'examples/server/vitest.postgres.config.ts',
      'scripts/vitest.config.ts',
    ],
  },
});
