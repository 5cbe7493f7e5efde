import { kluisProject } from '../../vitest.shared.ts';

// The test files share one module graph per worker (isolate: false): each file otherwise re-imports
// core, sla and the SDKs, which took most of the suite's time. The server keeps no module state.
const config = kluisProject('server', { test: { isolate: false } });

// Node receives the SSR conditions as `--conditions`; under `module` the AWS SDK (S3 storage)
// resolves to its bundler-only build and fails to load. Resolve like plain Node instead.
const ssrResolve = config.ssr?.resolve;
if (ssrResolve?.conditions) ssrResolve.conditions = ssrResolve.conditions.filter((c) => c !== 'module');

export default config;
