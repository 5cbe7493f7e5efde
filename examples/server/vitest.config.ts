import { fileURLToPath } from 'node:url';
import { kluisProject } from '../../vitest.shared.ts';

// The test files share one module graph per worker (isolate: false): each file otherwise re-imports
// core, sla and the SDKs, which took most of the suite's time. The server keeps no module state.
// The global setup starts a throwaway PostgreSQL (scripts/postgres/start-postgres.sh) for the
// store tests that run on both engines; vitest.postgres.config.ts runs the server's tests on it.
const config = kluisProject('server', {
  test: {
    isolate: false,
    globalSetup: [fileURLToPath(new URL('./test/global-setup.ts', import.meta.url))],
  },
});

// Node receives the SSR conditions as `--conditions`; under `module` the AWS SDK (S3 storage)
// resolves to its bundler-only build and fails to load. Resolve like plain Node instead.
const ssrResolve = config.ssr?.resolve;
if (ssrResolve?.conditions) ssrResolve.conditions = ssrResolve.conditions.filter((c) => c !== 'module');

export default config;
